import { describe, expect, it } from 'vitest';
import {
  controlCharacterIn,
  MAX_PLAUSIBLE_PER_HOUR_MAX,
  MULTIPLIER_MAX,
  REGISTER_MODULUS_MAX,
  RegistryInputSchema,
} from '../../core/domain/registry.js';
import { smallCity } from '../helpers/registry.js';

// Issue "No device can stop ingest": a registry whose numbers the store cannot hold, and names
// that display as something else, are refused when submitted.
const problems = (input: unknown) => {
  const out = RegistryInputSchema.safeParse(input);
  return out.success ? [] : out.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const withMeter = (patch: Record<string, unknown>) => {
  const city = smallCity();
  return { ...city, meters: [{ ...city.meters[0], ...patch }] };
};

describe('registry numeric bounds', () => {
  it('accepts the small city as it is', () => {
    expect(problems(smallCity())).toEqual([]);
  });
  it('bounds the multiplier to (0, MULTIPLIER_MAX]', () => {
    expect(problems(withMeter({ multiplier: MULTIPLIER_MAX }))).toEqual([]);
    expect(problems(withMeter({ multiplier: 1e308 }))).toEqual([expect.stringMatching(/^meters\.0\.multiplier: /)]);
    expect(problems(withMeter({ multiplier: MULTIPLIER_MAX * 1.001 }))).toHaveLength(1);
    expect(problems(withMeter({ multiplier: 0 }))).toHaveLength(1);
  });
  it('bounds the register modulus to (0, REGISTER_MODULUS_MAX]', () => {
    expect(problems(withMeter({ registerModulus: REGISTER_MODULUS_MAX }))).toEqual([]);
    expect(problems(withMeter({ registerModulus: 1e13 }))).toEqual([
      expect.stringMatching(/^meters\.0\.registerModulus: /),
    ]);
    expect(problems(withMeter({ registerModulus: 0 }))).toHaveLength(1);
  });
  it('bounds maxPlausiblePerHour to (0, MAX_PLAUSIBLE_PER_HOUR_MAX]', () => {
    expect(problems(withMeter({ maxPlausiblePerHour: MAX_PLAUSIBLE_PER_HOUR_MAX }))).toEqual([]);
    expect(problems(withMeter({ maxPlausiblePerHour: 1e300 }))).toEqual([
      expect.stringMatching(/^meters\.0\.maxPlausiblePerHour: /),
    ]);
    expect(problems(withMeter({ maxPlausiblePerHour: Number.POSITIVE_INFINITY }))).toHaveLength(1);
  });
});

describe('registry names', () => {
  const spoofs = ['\u0000', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u009f', '\u202e', '\u2066', '\u2069'];
  const more = ['\u200e', '\u200f', '\u061c', '\u202a', '\u202d', 'line\nbreak', 'tab\there'];
  it.each([...spoofs, ...more])('refuses %j in every name, naming the field', (bad) => {
    const city = smallCity();
    const input = {
      districts: city.districts.map((d, i) => (i === 0 ? { ...d, name: `鼓楼${bad}区` } : d)),
      institutions: city.institutions.map((x, i) => (i === 0 ? { ...x, name: `a${bad}` } : x)),
      buildings: city.buildings.map((x, i) => (i === 0 ? { ...x, name: `b${bad}` } : x)),
      gateways: city.gateways.map((x, i) => (i === 0 ? { ...x, name: `g${bad}` } : x)),
      meters: city.meters.map((x, i) => (i === 0 ? { ...x, name: `m${bad}` } : x)),
    };
    const found = controlCharacterIn(bad);
    expect(found).toMatch(/^U\+[0-9A-F]{4}$/);
    expect(problems(input)).toEqual([
      `districts.0.name: district name contains ${found}, a control or bidi-control character`,
      `institutions.0.name: institution name contains ${found}, a control or bidi-control character`,
      `buildings.0.name: building name contains ${found}, a control or bidi-control character`,
      `gateways.0.name: gateway name contains ${found}, a control or bidi-control character`,
      `meters.0.name: meter name contains ${found}, a control or bidi-control character`,
    ]);
  });
  it('keeps Chinese names, emoji and ordinary punctuation', () => {
    for (const name of ['人民医院（门诊楼）', 'Bldg #2 — east wing', '🏫 一中', 'Zero\u200dWidth joiner']) {
      expect(controlCharacterIn(name)).toBeUndefined();
    }
  });
  it('refuses control and bidi characters in ids, naming the field', () => {
    const city = smallCity();
    expect(problems({ ...city, districts: [{ id: 'gulou\u202e', name: 'x' }] })).toEqual([
      expect.stringMatching(/^districts\.0\.id: /),
    ]);
    expect(problems(withMeter({ gatewayId: 'gw-001\u0000' }))).toEqual([
      expect.stringMatching(/^meters\.0\.gatewayId: /),
    ]);
  });
});
