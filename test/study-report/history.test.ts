import { describe, expect, it } from 'vitest';
import { normalizeHistory } from '../../src/study-report/history.ts';

describe('reading a training history', () => {
  it('accepts a list of epoch records with losses and validation MAP', () => {
    const h = normalizeHistory({ epochs: [{ epoch: 1, loss_g: 1, loss_d: 2, val_map: 3 }, { epoch: 2, loss_g: 0.5, loss_d: 1.5, val_map: 1.2 }], best_epoch: 2 })!;
    expect(h.epochs).toEqual([1, 2]);
    expect(h.losses).toEqual({ loss_g: [1, 0.5], loss_d: [2, 1.5] });
    expect(h.valMap).toEqual([3, 1.2]);
    expect(h.chosenEpoch).toBe(2);
  });

  it('accepts columns and picks the lowest validation MAP when no epoch was recorded as chosen', () => {
    const h = normalizeHistory({ epoch: [1, 2, 3], g_loss: [3, 2, 1], valMAP: [2, 0.9, 1.1] })!;
    expect(h.chosenEpoch).toBe(2);
    expect(Object.keys(h.losses)).toEqual(['g_loss']);
  });

  it("collects each monitor's MAP against the training events seen, for the quality-per-compute curves", () => {
    const h = normalizeHistory({
      epochs: [
        { epoch: 1, loss_g: 1, val_map: 3, events_seen: 360_000, monitor: [{ label: 'E_nu = 1 GeV', map: 3.5, emd: 0.04 }, { label: 'E_nu = 3 GeV', map: 2.5, emd: 0.05 }] },
        { epoch: 2, loss_g: 0.9, val_map: 2, events_seen: 720_000, monitor: [{ label: 'E_nu = 3 GeV', map: 2.1, emd: 0.04 }] },
      ],
    })!;
    expect(h.eventsSeen).toEqual([360_000, 720_000]);
    expect(h.monitors).toEqual([
      { label: 'E_nu = 1 GeV', map: [3.5, Number.NaN] },
      { label: 'E_nu = 3 GeV', map: [2.5, 2.1] },
    ]);
    expect(normalizeHistory({ epochs: [{ epoch: 1, loss_g: 1 }] })!.monitors).toBeUndefined();
  });

  it('numbers epochs from 1 when records have no epoch field', () => {
    expect(normalizeHistory([{ loss: 1 }, { loss: 2 }])!.epochs).toEqual([1, 2]);
  });

  it('returns undefined for documents without per-epoch numbers', () => {
    expect(normalizeHistory(null)).toBeUndefined();
    expect(normalizeHistory({ note: 'x' })).toBeUndefined();
    expect(normalizeHistory([])).toBeUndefined();
  });

  it('reads the GAN trainer records (src/gan/train.ts EpochRecord) keeping losses and validation MAP only', () => {
    const rec = (epoch: number, val_map: number) => ({ epoch, loss_d: 1.3, loss_g: 0.8, d_real: 0.6, d_fake: 0.4, seconds: 2, val_map, val_emd: 0.01 });
    const h = normalizeHistory({ history: [rec(1, 1.5), rec(2, 0.9), rec(3, 1.0)], chosen_epoch: 3 })!;
    expect(Object.keys(h.losses).sort()).toEqual(['loss_d', 'loss_g']);
    expect(h.valMap).toEqual([1.5, 0.9, 1.0]);
    expect(h.chosenEpoch).toBe(3);
  });
});
