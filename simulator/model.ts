/**
 * Types shared by the simulator modules: a simulated meter carries both its registry entry's
 * facts and what the load model needs.
 */
import type { Energy } from '../core/domain/energy.js';
import type { InstitutionType, RegistryInput } from '../core/domain/registry.js';

/** Units the simulated registers count in (the native unit of their energy). */
export type SimUnit = 'kWh' | 'm3' | 'GJ';

/** A simulated meter: registry facts plus the parameters of its load model. */
export interface SimMeter {
  readonly id: string;
  readonly buildingId: string;
  readonly gatewayId: string;
  readonly energy: Energy;
  /** Electricity sub-item class code (01A00, 01B00, 01C00, 01D00); undefined for other energies. */
  readonly subItem?: string;
  readonly unit: SimUnit;
  /** CT ratio: consumption = register delta × multiplier. */
  readonly multiplier: number;
  /** The register counts modulo this value. */
  readonly registerModulus: number;
  /** Decimals the register shows (2 → steps of 0.01). */
  readonly registerDecimals: number;
  readonly institutionType: InstitutionType;
  /** Floor area of the meter's building. */
  readonly floorAreaM2: number;
  /** Base load: the expected consumption over a year, in the native unit, before the multiplier. */
  readonly annualNative: number;
  /** Key of the meter's noise stream, a hash of (fleet seed, meter id). */
  readonly noiseKey: number;
  /** Register value at `registerOriginMs`. */
  readonly initialRegister: number;
  /** The instant at which the register shows `initialRegister`. */
  readonly registerOriginMs: number;
}

/** A simulated city: the registry to submit to the platform and the meters to simulate. */
export interface Fleet {
  readonly registry: RegistryInput;
  readonly meters: readonly SimMeter[];
}

/** One register reading to publish. */
export interface SimReading {
  readonly gatewayId: string;
  readonly meterId: string;
  readonly tsMs: number;
  /** Cumulative register, in the meter's unit, rounded to its decimals and wrapped at its modulus. */
  readonly value: number;
}
