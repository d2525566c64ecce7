import { CaeModel } from './cae';
import { MaeModel } from './mae';
import type { MimModel } from './model';
import type { ModelSpec } from './model-spec';

export function createModel(spec: ModelSpec): MimModel {
  return spec.algorithm === 'cae' ? new CaeModel(spec) : new MaeModel(spec);
}
