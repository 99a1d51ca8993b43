// The few jsroot I/O entry points nugan uses (jsroot 7.11 ships no typings for its sub-modules).
declare module 'jsroot/io' {
  export interface RootFile {
    fKeys?: { fName: string }[];
    readObject(name: string): Promise<unknown>;
  }
  export function openFile(source: string | ArrayBuffer): Promise<RootFile>;
}

declare module 'jsroot/tree' {
  export class TSelector {
    tgtobj: Record<string, unknown>;
    addBranch(branch: string, name?: string, direct?: boolean): number;
    Process(entry?: number): void;
    Abort(): void;
  }
  export function treeProcess(tree: unknown, selector: TSelector, args?: { firstentry?: number; numentries?: number }): Promise<unknown>;
}
