/**
 * Ground-truth labels of a scenario: one JSON object per injected fault or anomaly, written as
 * JSON lines so that detection and data-quality handling can be scored against them. A label is
 * also the whole description of its event: the effects layer (effects.ts) and the transport layer
 * (transport.ts) read nothing else, so a labels file reproduces its scenario.
 *
 * Instants are ISO 8601 with the city's offset (`2026-11-18T08:00:00+08:00`), whole seconds;
 * spans are half-open `[start, end)`. Register values are in the meter's register unit (before the
 * multiplier); rates and totals of consumption are in the meter's native unit (after it).
 */
import { z } from 'zod';

const Iso = z.iso.datetime({ offset: true });
const Id = z.string().min(1);
const Unit = z.enum(['kWh', 'm3', 'GJ']);
const span = { start: Iso, end: Iso };

/** Malformed message variants a gateway can send. */
export const MALFORMED_VARIANTS = ['bad-json', 'non-numeric', 'unknown-meter', 'missing-ts'] as const;

/** Every label, discriminated by `kind`. */
export const LabelSchema = z.discriminatedUnion('kind', [
  /** The register crosses its modulus at `start` (= `end`): an offset moved it close to the top. */
  z.object({
    kind: z.literal('rollover'),
    meter: Id,
    ...span,
    registerModulus: z.number().positive(),
    /** Added to the register at every instant (a constant: no consumption is created). */
    registerOffset: z.number().nonnegative(),
  }),
  /** The meter is replaced at `start` (= `end`); the platform gets `{type:"replace", ts, oldFinal, newInitial}`. */
  z.object({ kind: z.literal('replace'), meter: Id, ...span, oldFinal: z.number(), newInitial: z.number() }),
  /** No reading of the meter with a timestamp in the span is sent. */
  z.object({ kind: z.literal('gap'), meter: Id, ...span }),
  /** Every reading of the meter in the span is sent `copies` times (the copy one interval later). */
  z.object({ kind: z.literal('duplicate'), meter: Id, ...span, copies: z.number().int().min(2) }),
  /** The gateway is offline in the span and uploads the buffered readings, shuffled, with those of `end`. */
  z.object({ kind: z.literal('late-upload'), gateway: Id, ...span }),
  /** The gateway sends nothing in the span and its readings of the span are lost. */
  z.object({ kind: z.literal('offline'), gateway: Id, ...span }),
  /** The gateway stamps readings of the span `skewS` seconds off the true instant (value of the true instant). */
  z.object({ kind: z.literal('clock-skew'), gateway: Id, ...span, skewS: z.number().int() }),
  /** One bad message from the gateway right after its readings of `start` (= `end`). */
  z.object({ kind: z.literal('malformed'), gateway: Id, meter: Id, ...span, variant: z.enum(MALFORMED_VARIANTS) }),
  /**
   * Lighting and air conditioning left on: in the span, at night (`nightStartH`–`nightEndH` local)
   * and all day on rest days, each listed meter uses `extraKw` more.
   */
  z.object({
    kind: z.literal('after-hours'),
    institution: Id,
    ...span,
    nightStartH: z.number().int().min(0).max(23),
    nightEndH: z.number().int().min(0).max(23),
    extraKwByMeter: z.record(z.string(), z.number().positive()),
  }),
  /** The meter uses `extraPerH` (native unit per hour: kW for electricity) more over the span; `extraTotal` in all. */
  z.object({
    kind: z.literal('spike'),
    meter: Id,
    ...span,
    unit: Unit,
    extraPerH: z.number().positive(),
    extraTotal: z.number().positive(),
  }),
  /** The register shows `frozenRegister` through the span and the true `registerAtEnd` from `end`. */
  z.object({
    kind: z.literal('stuck'),
    meter: Id,
    ...span,
    frozenRegister: z.number(),
    registerAtEnd: z.number(),
  }),
  /** A water leak: a constant `extraM3PerH` over the span, night and day. */
  z.object({ kind: z.literal('leak'), meter: Id, ...span, extraM3PerH: z.number().positive() }),
  /** Base load steps up by `extraPerH` at `start`, for good: `end` is the end of the scenario window. */
  z.object({
    kind: z.literal('step'),
    meter: Id,
    ...span,
    unit: Unit,
    extraPerH: z.number().positive(),
    permanent: z.literal(true),
  }),
  /** Every listed meter of the institution uses `factor` times its modelled consumption over a calendar month. */
  z.object({
    kind: z.literal('month-over-target'),
    institution: Id,
    ...span,
    factor: z.number().gt(1),
    meters: z.array(Id),
  }),
  /**
   * A retrofit (节能改造): from `start` every listed meter of the institution uses `factor` (< 1)
   * times its modelled consumption, for good (`end` is the end of the scenario window). A saving,
   * not an anomaly: measurement and verification finds it (issue 18); no detector should.
   */
  z.object({
    kind: z.literal('retrofit'),
    institution: Id,
    ...span,
    factor: z.number().gt(0).lt(1),
    meters: z.array(Id),
  }),
]);

/** A ground-truth label. */
export type Label = z.infer<typeof LabelSchema>;
/** The kinds of label. */
export type LabelKind = Label['kind'];
/** The label of one kind. */
export type LabelOf<K extends LabelKind> = Extract<Label, { kind: K }>;

/** Faults of one meter: its register or its readings in transport. */
export const METER_FAULT_KINDS = ['rollover', 'replace', 'gap', 'duplicate'] as const;
/** Faults of one gateway's transport. */
export const GATEWAY_FAULT_KINDS = ['late-upload', 'offline', 'clock-skew', 'malformed'] as const;
/** Anomalies of one meter's consumption or register (a leak only on water meters). */
export const METER_ANOMALY_KINDS = ['spike', 'stuck', 'leak', 'step'] as const;
/** Anomalies of one institution's consumption. */
export const INSTITUTION_ANOMALY_KINDS = ['after-hours', 'month-over-target'] as const;
/** Changes of an institution's consumption that are neither faults nor anomalies (planted by hand). */
export const INSTITUTION_EVENT_KINDS = ['retrofit'] as const;
/** The kinds the planner places at random (planner.ts), faults first. */
export const PLANNED_LABEL_KINDS: readonly LabelKind[] = [
  ...METER_FAULT_KINDS,
  ...GATEWAY_FAULT_KINDS,
  ...METER_ANOMALY_KINDS,
  ...INSTITUTION_ANOMALY_KINDS,
];
/** Every kind: the planned ones, then the events planted by hand. */
export const LABEL_KINDS: readonly LabelKind[] = [...PLANNED_LABEL_KINDS, ...INSTITUTION_EVENT_KINDS];

/** Whether a string names a label kind. */
export function isLabelKind(text: string): text is LabelKind {
  return (LABEL_KINDS as readonly string[]).includes(text);
}

/** A label's span in epoch ms. */
export function labelSpanMs(label: Label): { startMs: number; endMs: number } {
  return { startMs: Date.parse(label.start), endMs: Date.parse(label.end) };
}

/** Labels as JSON lines, one object per line, each ending with a newline. */
export function labelsToJsonLines(labels: readonly Label[]): string {
  return labels.map((l) => `${JSON.stringify(l)}\n`).join('');
}

/** Parses a labels file written by `labelsToJsonLines`; throws a ZodError on a bad line. */
export function parseLabelsJsonLines(text: string): Label[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => LabelSchema.parse(JSON.parse(line)));
}
