// TF.js model folders on disk without tfjs-node: an IOHandler that reads `model.json` + its weight shards, and a
// writer for a LayersModel's artifacts in the standard layout (`model.json` with modelTopology and
// weightsManifest, one `weights.bin`). Layers models (ours) and graph models (converted, e.g. DALL-E) both load.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tf } from '../ml/tf';
import { TokenizerError } from './format';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Either kind of TF.js model, run the same way: one input tensor in, one output tensor out. */
export interface LoadedModel {
  kind: 'layers-model' | 'graph-model';
  /** Declared input shape (null entries are free), when the model declares one. */
  inputShape: (number | null)[] | null;
  run(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  weightsManifest?: tf.io.WeightsManifestConfig;
}

function readModelJson(file: string): ModelJson {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ModelJson;
  } catch (err) {
    throw new TokenizerError(`${file} is not a readable TF.js model.json (${(err as Error).message})`);
  }
}

/** IOHandler reading a model.json and the weight files it names, relative to its folder. */
export function fileHandler(file: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const json = readModelJson(file);
      return tf.io.getModelArtifactsForJSON(json as tf.io.ModelJSON, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const b = readFileSync(join(dirname(file), p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** Graph models carry a GraphDef (`node` list) as topology; layers models a Keras config (`class_name`). */
function isGraphModel(json: ModelJson): boolean {
  if (json.format === 'graph-model') return true;
  if (json.format === 'layers-model') return false;
  const topo = json.modelTopology as Record<string, unknown> | undefined;
  return !!topo && Array.isArray(topo.node);
}

export async function loadModel(file: string): Promise<LoadedModel> {
  const json = readModelJson(file);
  try {
    if (isGraphModel(json)) {
      const g = await tf.loadGraphModel(fileHandler(file));
      const shape = g.inputs[0]?.shape;
      return {
        kind: 'graph-model',
        inputShape: shape ? shape.map((d) => (d === -1 ? null : d)) : null,
        run: (x) => g.execute(x) as tf.Tensor,
        dispose: () => g.dispose(),
      };
    }
    const m = await tf.loadLayersModel(fileHandler(file));
    return {
      kind: 'layers-model',
      inputShape: m.inputs[0].shape.slice(),
      run: (x) => m.predict(x) as tf.Tensor,
      dispose: () => m.dispose(),
    };
  } catch (err) {
    if (err instanceof TokenizerError) throw err;
    throw new TokenizerError(`cannot load the TF.js model ${file}: ${(err as Error).message}`);
  }
}

/** Writes a LayersModel as `<dir>/model.json` + `<dir>/weights.bin` (what `tf.loadLayersModel` reads). */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const weightData = a.weightData instanceof ArrayBuffer ? a.weightData : tf.io.concatenateArrayBuffers(a.weightData ?? []);
    writeFileSync(join(dir, WEIGHTS_FILE), Buffer.from(weightData));
    const json = {
      format: a.format ?? 'layers-model',
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy ?? null,
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs ?? [] }],
    };
    writeFileSync(join(dir, MODEL_FILE), `${JSON.stringify(json)}\n`);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
  }));
}
