/** Progress bookkeeping shared by the reporters: done/total, rate and ETA of one stage. */
import type { ExecutorProgress } from '../runner/executor.ts';
import { unreachable } from '../util/unreachable.ts';

export class StageProgress {
  total = 0;
  done = 0;
  unit = '';
  message = '';
  private readonly started = performance.now();

  apply(p: ExecutorProgress): void {
    switch (p.type) {
      case 'total':
        this.total = p.amount;
        this.unit = p.unit ?? '';
        break;
      case 'advance':
        this.done += p.amount;
        break;
      case 'message':
      case 'state':
        this.message = p.text;
        break;
      default:
        unreachable(p);
    }
  }

  /** "1200/5000 events, 340/s, ETA 11 s — message" (only the parts known so far). */
  describe(): string {
    const parts: string[] = [];
    if (this.total > 0) {
      const secs = (performance.now() - this.started) / 1000;
      const rate = secs > 0 ? this.done / secs : 0;
      parts.push(`${this.done}/${this.total}${this.unit ? ` ${this.unit}` : ''}`);
      if (rate > 0) {
        parts.push(`${formatRate(rate)}/s`);
        parts.push(`ETA ${formatSeconds(Math.max(0, (this.total - this.done) / rate))}`);
      }
    }
    const head = parts.join(', ');
    return this.message ? (head ? `${head} — ${this.message}` : this.message) : head;
  }
}

export function formatSeconds(s: number): string {
  if (s < 9.95) return `${s.toFixed(1)} s`;
  // Round once, then split: 119.6 s is "2 min 0 s", not "1 min 60 s".
  const t = Math.round(s);
  if (t < 60) return `${t} s`;
  const m = Math.floor(t / 60);
  return m < 60 ? `${m} min ${t % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function formatRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(1)}M` : r >= 1e4 ? `${(r / 1e3).toFixed(0)}k` : r >= 10 ? r.toFixed(0) : r.toFixed(2);
}
