/** Answers of the registry routes (api/routes/registry.ts, registry-sheet.ts). */
import { z } from 'zod';
import {
  BuildingSchema,
  DistrictSchema,
  GatewaySchema,
  InstitutionSchema,
  MeterSchema,
  WeatherStationSchema,
} from '../../core/domain/registry.js';

const list = <T extends z.ZodType>(row: T) => z.array(row).readonly();

/** The registry as served: gateways without their secret hashes. */
export const PublicRegistrySchema = z.object({
  districts: list(DistrictSchema),
  institutions: list(InstitutionSchema),
  buildings: list(BuildingSchema),
  gateways: list(GatewaySchema.omit({ secretHash: true })),
  meters: list(MeterSchema),
  weatherStations: list(WeatherStationSchema).optional(),
});

/** How many rows of each kind the registry holds after a change. */
export const RegistryCountsSchema = z.object({
  districts: z.number(),
  institutions: z.number(),
  buildings: z.number(),
  gateways: z.number(),
  meters: z.number(),
});

/** `POST /api/v1/registry/import`. */
export const ImportAnswerSchema = z.object({
  dryRun: z.boolean(),
  rows: z.record(z.string(), z.number()).describe('data rows read from each registry sheet found'),
  registry: RegistryCountsSchema.describe('what the registry holds after the import (in a dry run: would hold)'),
});
