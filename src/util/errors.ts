/**
 * Errors shared by every layer. Kept apart from the stage contract so that libraries (src/io,
 * src/physics, src/gan) can report bad input without importing what a stage is.
 */

/**
 * An error in user-supplied input (a data file, a parameter value) that is not a bug: it names the
 * file and the entry or line and says what was expected. The CLI prints it without a stack trace.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    /** 1-based line, or 0-based entry index for binary files, when known. */
    readonly where?: { line?: number; entry?: number; column?: string },
  ) {
    super(message);
    this.name = 'InputError';
  }

  /** `file:line: message` or `file (entry 12): message`. */
  render(): string {
    let head = this.file ?? '';
    if (this.where?.line !== undefined) head += `:${this.where.line}`;
    else if (this.where?.entry !== undefined) head += ` (entry ${this.where.entry})`;
    if (this.where?.column) head += ` [${this.where.column}]`;
    return head ? `${head}: ${this.message}` : this.message;
  }
}
