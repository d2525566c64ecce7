// Named parameters of a model: creation with the usual ViT initialisers (from our seeded Rng, so weights do
// not depend on the backend), lookup by name, and flat export/import for checkpoints.
import { Rng } from './rng';
import { tf, type Variable } from './tf';

export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'const'; value: number }
  | { kind: 'truncNormal'; std: number }
  | { kind: 'xavierUniform' };

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

function fill(shape: number[], init: Init, rng: Rng): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (init.kind) {
    case 'zeros':
      break;
    case 'ones':
      out.fill(1);
      break;
    case 'const':
      out.fill(init.value);
      break;
    case 'truncNormal':
      for (let i = 0; i < size; i++) {
        let z = rng.normal();
        while (z < -2 || z > 2) z = rng.normal();
        out[i] = z * init.std;
      }
      break;
    case 'xavierUniform': {
      const [fanIn, fanOut] = [shape[0], shape[shape.length - 1]];
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) out[i] = rng.uniform(-bound, bound);
      break;
    }
  }
  return out;
}

// TF.js variable names are global to the process; several models (run, probe, teacher) may coexist.
let nextVariableId = 0;

/** A flat, ordered collection of named trainable variables. */
export class ParamStore {
  private readonly vars = new Map<string, Variable>();

  constructor(private readonly seed: number, private readonly scope: string, private readonly trainable = true) {}

  /** Creates a parameter; its values derive from (seed, scope, name) only, so adding parameters elsewhere never changes it. */
  create(name: string, shape: number[], init: Init): Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} already exists`);
    const rng = Rng.derive(this.seed, 'init', this.scope, name);
    const v = tf.variable(tf.tensor(fill(shape, init, rng), shape), this.trainable, `${this.scope}/${name}/${nextVariableId++}`);
    this.vars.set(name, v);
    return v;
  }

  get(name: string): Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  names(): string[] {
    return [...this.vars.keys()];
  }

  variables(): Variable[] {
    return [...this.vars.values()];
  }

  entries(): [string, Variable][] {
    return [...this.vars.entries()];
  }

  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  async export(): Promise<NamedArray[]> {
    const out: NamedArray[] = [];
    for (const [name, v] of this.vars) out.push({ name, shape: v.shape.slice(), data: (await v.data()) as Float32Array });
    return out;
  }

  /** Assigns saved values; every parameter must be present with the same shape. */
  import(arrays: NamedArray[], what: string): void {
    const byName = new Map(arrays.map((a) => [a.name, a]));
    for (const [name, v] of this.vars) {
      const a = byName.get(name);
      if (!a) throw new Error(`${what}: missing parameter ${name}`);
      if (a.shape.join('x') !== v.shape.join('x')) {
        throw new Error(`${what}: parameter ${name} has shape [${a.shape}] but the model expects [${v.shape}]`);
      }
      tf.tidy(() => v.assign(tf.tensor(a.data, a.shape)));
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
