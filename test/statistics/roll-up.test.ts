import { describe, expect, it } from 'vitest';
import { DEFAULT_STATISTICS_LAYOUT } from '../../core/statistics/forms.js';
import { addFigures, type ExactStatFigures } from '../../core/statistics/model.js';

const line = (energy: 'electricity' | 'water' | 'gas', amountMicro: number, kgco2Micro: number | null) => ({
  energy,
  amountMicro,
  formQuantityMicro: amountMicro,
  costMicro: amountMicro * 3,
  kgceMicro: amountMicro * 2,
  kgceEvMicro: amountMicro * 5,
  kgco2Micro,
});
const part = (lines: ExactStatFigures['lines'], area = 1_000_000): ExactStatFigures => ({
  floorAreaM2Micro: area,
  occupantsMicro: 2 * area,
  lines,
});

describe('roll-ups of the statistics (issue 19: one pass over the institutions)', () => {
  it('adds each energy over the parts in layout order; CO₂ null only when every line is null', () => {
    const sum = addFigures(
      [
        part([line('gas', 7, 70), line('water', 1, null)]),
        part([line('electricity', 2, 20), line('water', 4, null)], 3_000_000),
        part([]),
        part([line('electricity', 2 ** 50, 1), line('gas', 3, null)]),
      ],
      DEFAULT_STATISTICS_LAYOUT,
    );
    expect(sum.floorAreaM2Micro).toBe(6_000_000);
    expect(sum.occupantsMicro).toBe(12_000_000);
    // electricity, water, gas: the consumption form's order, whatever the parts' order.
    expect(sum.lines.map((l) => l.energy)).toEqual(['electricity', 'water', 'gas']);
    expect(sum.lines[0]).toEqual({ ...line('electricity', 2 + 2 ** 50, 21), costMicro: 3 * (2 + 2 ** 50) });
    expect(sum.lines[1]).toEqual(line('water', 5, null));
    expect(sum.lines[2]).toEqual(line('gas', 10, 70));
    expect(addFigures([], DEFAULT_STATISTICS_LAYOUT)).toEqual({ floorAreaM2Micro: 0, occupantsMicro: 0, lines: [] });
  });
});
