/**
 * The 2015 model's types as the release before the one-model unification wrote them (fit kind
 * 'etas-2015', version 1): kept only for the test oracle in this folder.
 */
export type { CellForecast, EventSet, H3Cell, StopReason } from '../../../engine/types.ts';
import type { H3Cell, StopReason } from '../../../engine/types.ts';

export interface EtasFitOptions {
  readonly maxIterations?: number;
  readonly relTolerance?: number;
  readonly fixedTheta?: number;
  readonly fixedMeanDelayHours?: number;
  readonly thetaMax?: number;
  readonly minMeanDelayHours?: number;
  readonly maxMeanDelayHours?: number;
  readonly initial?: { readonly theta: number; readonly omegaPerHour: number };
  readonly acceleration?: boolean;
}

export interface EtasFit {
  readonly kind: 'etas-2015';
  readonly version: 1;
  readonly theta: number;
  readonly omegaPerHour: number;
  readonly muPerHour: Readonly<Record<H3Cell, number>>;
  readonly res: number;
  readonly window: { readonly startMs: number; readonly endMs: number };
  readonly events: number;
  readonly iterations: number;
  readonly logLikelihoodTrace: readonly number[];
  readonly stopReason: StopReason;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  readonly fingerprint: string;
  readonly options: EtasFitOptions;
  readonly triggeredShare?: number;
}
