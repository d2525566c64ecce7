// The one typed run configuration (nanoGPT style: every field has a commented default).
// FIELDS describes each leaf once; validation, `--set` parsing and the editor's JSON schema all derive from it.

export type Algorithm = 'cae' | 'mae';
export type DatasetKind = 'synthetic' | 'idx' | 'cifar10' | 'cifar100' | 'folder';
export type MaskKind = 'block' | 'random' | 'multiblock';
export type AlignTarget = 'raw' | 'layernorm' | 'instancenorm-topk';
export type AlignLoss = 'mse' | 'smooth-l1';
export type TeacherScheduleName = 'constant' | 'linear' | 'cosine';
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';
/** tfjs: the built-in TypeScript engine; torch: the Python engine in engines/torch (same run folder). */
export type EngineName = 'tfjs' | 'torch';
export const ENGINES: readonly EngineName[] = ['tfjs', 'torch'];

export interface Config {
  algorithm: Algorithm;
  /** Name of the preset this config started from (informational). */
  preset: string;
  /** Which engine trains the run; both write the same run folder and checkpoints. */
  engine: EngineName;
  /** TF.js backend (engine tfjs). */
  backend: BackendName;
  /** Settings of the torch engine only. */
  torch: {
    /** auto: CUDA when available, else CPU; cuda: refuse to start without a CUDA device. */
    device: 'auto' | 'cpu' | 'cuda';
    /** Wrap the model in torch.compile (torch ≥ 2.0). */
    compile: boolean;
  };
  data: {
    dataset: DatasetKind;
    /** Folder or file of the dataset; ignored by `synthetic`. */
    path: string;
    /** Side of the square images the model sees. */
    imageSize: number;
    channels: number;
    /** Random-resized-crop scale range (CAE paper 0.08–1, MAE 0.2–1). */
    cropScale: [number, number];
    hflip: boolean;
    /** Per-channel normalisation; empty = computed once from the train split and cached in the run folder. */
    mean: number[];
    std: number[];
    /** Batches decoded ahead of the training step. */
    prefetch: number;
    /** Built-in dataset sizes. */
    syntheticTrain: number;
    syntheticTest: number;
  };
  model: {
    patchSize: number;
    dim: number;
    depth: number;
    heads: number;
    mlpRatio: number;
    /** Initial value of layer-scale gammas (0 disables layer scale). */
    layerScale: number;
    dropPath: number;
    /** CAE latent contextual regressor depth (cross-attention blocks). */
    regressorDepth: number;
    /** CAE decoder depth (self-attention over masked tokens); MAE decoder depth. */
    decoderDepth: number;
    /** MAE decoder width (CAE decoder keeps the encoder width). */
    decoderDim: number;
    decoderHeads: number;
  };
  mask: {
    kind: MaskKind;
    /** Masked patches per image, fixed for the run. */
    count: number;
    /** Smallest block of the block-wise generator (scaled for small grids when 0). */
    minBlock: number;
    /** Multiblock (I-JEPA): target blocks per image. */
    blocks: number;
    /** Multiblock: area range of each target block, as a fraction of the grid (I-JEPA 0.15–0.2). */
    blockScale: [number, number];
    /** Multiblock: aspect-ratio (h/w) range of each target block (I-JEPA 0.75–1.5). */
    blockAspect: [number, number];
  };
  teacher: {
    /** θ_t ← m·θ_t + (1−m)·θ_e after each step; the paper uses 0 (a copy). */
    momentum: number;
    /** Momentum of the last update when teacher.schedule ramps (I-JEPA 1.0, data2vec 2.0 0.99999). */
    momentumEnd: number;
    /** constant (teacher.momentum throughout), or a linear / cosine ramp from teacher.momentum to momentumEnd. */
    schedule: TeacherScheduleName;
  };
  loss: {
    /** λ in loss = loss_main + λ·loss_align. */
    alignWeight: number;
    target: 'pixels' | 'tokens';
    /** Per-patch normalised pixel targets (MAE's norm-pix). */
    normPix: boolean;
    /** Normalisation of the teacher's latents before alignment: raw (CAE), layernorm (I-JEPA), instancenorm-topk (data2vec). */
    alignTarget: AlignTarget;
    /** instancenorm-topk: the last K teacher blocks averaged (0 = all). */
    alignTopK: number;
    /** Alignment loss: mse (CAE) or smooth-l1 (I-JEPA, data2vec) with threshold alignBeta. */
    alignLoss: AlignLoss;
    alignBeta: number;
  };
  tokenizer: {
    /** TF.js tokenizer folder (token targets), or `auto`: `pretrain` first trains one into `<runDir>/tokenizer`. */
    path: string;
    /** Side of the images the tokenizer sees (resized from data.imageSize, e.g. the paper's 112 px second view); 0 = its own input size. */
    inputSize: number;
    /** Code vocabulary: the size of a tokenizer trained here; once loaded, the loaded tokenizer's (the head width). */
    vocab: number;
    /** Training steps of a tokenizer trained by `tokenizer.path=auto` (and the default of `mim-lab tokenizer train`). */
    steps: number;
  };
  train: {
    steps: number;
    batchSize: number;
    /** Images per forward/backward pass; gradients are accumulated up to batchSize (0 = whole batch). */
    microBatch: number;
    seed: number;
    lr: number;
    minLr: number;
    warmupSteps: number;
    weightDecay: number;
    beta1: number;
    beta2: number;
    /** Gradient clipping by global norm (0 disables). */
    clipGrad: number;
    logEvery: number;
    checkpointEvery: number;
    keepCheckpoints: number;
    /** fp32, or bf16 autocast (torch engine only). */
    precision: 'fp32' | 'bf16';
  };
  sample: {
    /** Write reconstructions and attention maps every N steps (0 disables). */
    every: number;
    count: number;
  };
  monitor: {
    /** Warn about representation collapse when latent_std falls below this while loss_main stalls. */
    collapseStd: number;
    /** RankMe of the encoder's pooled features on a fixed test batch every N steps (0 disables). */
    rankEvery: number;
    /** Test images in the RankMe batch (the rank is at most min(images, model.dim)). */
    rankImages: number;
    /** Warn when rank_me falls below this fraction of its highest value while loss_main stalls. */
    rankDrop: number;
  };
}

export type FieldType =
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number; exclusiveMin?: boolean }
  | { kind: 'bool' }
  | { kind: 'string' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'numbers'; length?: number; min?: number };

export interface FieldSpec {
  type: FieldType;
  description: string;
}

export const FIELDS: Record<string, FieldSpec> = {
  algorithm: { type: { kind: 'enum', values: ['cae', 'mae'] }, description: 'Pretraining algorithm.' },
  preset: { type: { kind: 'string' }, description: 'Preset this config started from.' },
  engine: { type: { kind: 'enum', values: ENGINES }, description: 'Training engine: tfjs (built in) or torch (Python with PyTorch ≥ 1.13; interpreter from mimLab.pythonPath / MIMLAB_PYTHON / python3).' },
  backend: { type: { kind: 'enum', values: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu'] }, description: 'TF.js backend; auto picks the best that loads.' },
  'torch.device': { type: { kind: 'enum', values: ['auto', 'cpu', 'cuda'] }, description: 'Torch engine device: auto (CUDA when available), cpu, or cuda (refuses to start without one).' },
  'torch.compile': { type: { kind: 'bool' }, description: 'Torch engine: wrap the model in torch.compile (needs torch ≥ 2.0).' },
  'data.dataset': { type: { kind: 'enum', values: ['synthetic', 'idx', 'cifar10', 'cifar100', 'folder'] }, description: 'Dataset format.' },
  'data.path': { type: { kind: 'string' }, description: 'Dataset folder (not used by synthetic).' },
  'data.imageSize': { type: { kind: 'int', min: 4 }, description: 'Side of the square model input in pixels.' },
  'data.channels': { type: { kind: 'int', min: 1, max: 3 }, description: 'Image channels (1 or 3).' },
  'data.cropScale': { type: { kind: 'numbers', length: 2, min: 0 }, description: 'Random-resized-crop area range [min, max].' },
  'data.hflip': { type: { kind: 'bool' }, description: 'Random horizontal flip during pretraining.' },
  'data.mean': { type: { kind: 'numbers' }, description: 'Per-channel mean (empty: computed from the train split).' },
  'data.std': { type: { kind: 'numbers' }, description: 'Per-channel std (empty: computed from the train split).' },
  'data.prefetch': { type: { kind: 'int', min: 1, max: 64 }, description: 'Batches prepared ahead of the training step.' },
  'data.syntheticTrain': { type: { kind: 'int', min: 1 }, description: 'Built-in dataset: train images.' },
  'data.syntheticTest': { type: { kind: 'int', min: 1 }, description: 'Built-in dataset: test images.' },
  'model.patchSize': { type: { kind: 'int', min: 1 }, description: 'Patch side in pixels.' },
  'model.dim': { type: { kind: 'int', min: 1 }, description: 'Encoder width D.' },
  'model.depth': { type: { kind: 'int', min: 1 }, description: 'Encoder blocks.' },
  'model.heads': { type: { kind: 'int', min: 1 }, description: 'Attention heads (must divide dim).' },
  'model.mlpRatio': { type: { kind: 'number', min: 0, exclusiveMin: true }, description: 'MLP hidden width / D.' },
  'model.layerScale': { type: { kind: 'number', min: 0 }, description: 'Layer-scale init (0 disables).' },
  'model.dropPath': { type: { kind: 'number', min: 0, max: 0.99 }, description: 'Stochastic depth rate (linearly increasing over blocks).' },
  'model.regressorDepth': { type: { kind: 'int', min: 1 }, description: 'CAE regressor cross-attention blocks.' },
  'model.decoderDepth': { type: { kind: 'int', min: 1 }, description: 'Decoder blocks.' },
  'model.decoderDim': { type: { kind: 'int', min: 1 }, description: 'MAE decoder width.' },
  'model.decoderHeads': { type: { kind: 'int', min: 1 }, description: 'MAE decoder heads.' },
  'mask.kind': { type: { kind: 'enum', values: ['block', 'random', 'multiblock'] }, description: 'Block-wise (BEiT), random, or multiblock (I-JEPA: mask.blocks target blocks, trimmed/filled to mask.count) masking.' },
  'mask.count': { type: { kind: 'int', min: 1 }, description: 'Masked patches per image (fewer than the number of patches).' },
  'mask.minBlock': { type: { kind: 'int', min: 0 }, description: 'Smallest mask block in patches (0: 16 scaled to the grid).' },
  'mask.blocks': { type: { kind: 'int', min: 1 }, description: 'Multiblock: target blocks per image (I-JEPA: 4).' },
  'mask.blockScale': { type: { kind: 'numbers', length: 2, min: 0 }, description: 'Multiblock: area range [min, max] of a target block as a fraction of the grid (I-JEPA: 0.15–0.2).' },
  'mask.blockAspect': { type: { kind: 'numbers', length: 2, min: 0 }, description: 'Multiblock: aspect-ratio range [min, max] (height/width) of a target block (I-JEPA: 0.75–1.5).' },
  'teacher.momentum': { type: { kind: 'number', min: 0, max: 1 }, description: 'Teacher EMA momentum (paper: 0, a copy); the start value when teacher.schedule ramps.' },
  'teacher.momentumEnd': { type: { kind: 'number', min: 0, max: 1 }, description: 'Teacher momentum of the last update for a linear/cosine teacher.schedule (I-JEPA: 1).' },
  'teacher.schedule': { type: { kind: 'enum', values: ['constant', 'linear', 'cosine'] }, description: 'Teacher momentum schedule: constant (teacher.momentum), or a linear/cosine ramp to teacher.momentumEnd over the run.' },
  'loss.alignWeight': { type: { kind: 'number', min: 0 }, description: 'λ: weight of the latent alignment loss.' },
  'loss.target': { type: { kind: 'enum', values: ['pixels', 'tokens'] }, description: 'Prediction target.' },
  'loss.normPix': { type: { kind: 'bool' }, description: 'Per-patch normalised pixel targets.' },
  'loss.alignTarget': { type: { kind: 'enum', values: ['raw', 'layernorm', 'instancenorm-topk'] }, description: 'Alignment target: raw teacher latents (CAE), parameter-free LayerNorm of them (I-JEPA), or per-block instance norm averaged over the last loss.alignTopK teacher blocks (data2vec).' },
  'loss.alignTopK': { type: { kind: 'int', min: 0 }, description: 'instancenorm-topk: teacher blocks averaged, counted from the last (0: all; at most model.depth).' },
  'loss.alignLoss': { type: { kind: 'enum', values: ['mse', 'smooth-l1'] }, description: 'Alignment loss: mse (CAE) or smooth-l1 with threshold loss.alignBeta.' },
  'loss.alignBeta': { type: { kind: 'number', min: 0 }, description: 'smooth-l1: quadratic below |d| < β, linear above (PyTorch beta; 0 = L1).' },
  'tokenizer.path': { type: { kind: 'string' }, description: 'Token targets: TF.js tokenizer folder (from `mim-lab tokenizer train`, or any TF.js encoder with per-patch logits/codes), or `auto` to train one into the run folder first.' },
  'tokenizer.inputSize': { type: { kind: 'int', min: 0 }, description: 'Side in pixels of the images the tokenizer sees, resized from data.imageSize (the paper: 112 for a 224 px ViT-B/16); 0: the tokenizer\'s own input size. Its code grid must equal the ViT patch grid.' },
  'tokenizer.vocab': { type: { kind: 'int', min: 1 }, description: 'Code vocabulary of a tokenizer trained here; replaced by the loaded tokenizer\'s vocabulary when a run starts (the width of the token head).' },
  'tokenizer.steps': { type: { kind: 'int', min: 1 }, description: 'Training steps of a tokenizer trained by tokenizer.path=auto (default length of `mim-lab tokenizer train`).' },
  'train.steps': { type: { kind: 'int', min: 1 }, description: 'Optimizer steps.' },
  'train.batchSize': { type: { kind: 'int', min: 1 }, description: 'Images per optimizer step.' },
  'train.microBatch': { type: { kind: 'int', min: 0 }, description: 'Images per forward pass (0: whole batch); must divide batchSize.' },
  'train.seed': { type: { kind: 'int', min: 0 }, description: 'Seed for init, data order, augmentation and masks.' },
  'train.lr': { type: { kind: 'number', min: 0, exclusiveMin: true }, description: 'Peak learning rate.' },
  'train.minLr': { type: { kind: 'number', min: 0 }, description: 'Final learning rate of the cosine schedule.' },
  'train.warmupSteps': { type: { kind: 'int', min: 0 }, description: 'Linear warmup steps.' },
  'train.weightDecay': { type: { kind: 'number', min: 0 }, description: 'Decoupled weight decay (weights of rank ≥ 2 only).' },
  'train.beta1': { type: { kind: 'number', min: 0, max: 0.999999 }, description: 'AdamW β1.' },
  'train.beta2': { type: { kind: 'number', min: 0, max: 0.999999 }, description: 'AdamW β2.' },
  'train.clipGrad': { type: { kind: 'number', min: 0 }, description: 'Clip gradients to this global norm (0: off).' },
  'train.logEvery': { type: { kind: 'int', min: 1 }, description: 'Write a metrics line every N steps.' },
  'train.checkpointEvery': { type: { kind: 'int', min: 1 }, description: 'Checkpoint every N steps.' },
  'train.keepCheckpoints': { type: { kind: 'int', min: 1 }, description: 'Checkpoints kept on disk.' },
  'train.precision': { type: { kind: 'enum', values: ['fp32', 'bf16'] }, description: 'fp32, or bf16 autocast (torch engine only).' },
  'sample.every': { type: { kind: 'int', min: 0 }, description: 'Write reconstructions/attention every N steps (0: off).' },
  'sample.count': { type: { kind: 'int', min: 1, max: 64 }, description: 'Images in the fixed sample batch.' },
  'monitor.collapseStd': { type: { kind: 'number', min: 0 }, description: 'Collapse warning threshold on latent_std.' },
  'monitor.rankEvery': { type: { kind: 'int', min: 0 }, description: 'Log rank_me (RankMe of the encoder\'s pooled features on a fixed test batch) every N steps (0: off).' },
  'monitor.rankImages': { type: { kind: 'int', min: 2 }, description: 'Test images in the rank_me batch (the rank is at most min(images, model.dim)).' },
  'monitor.rankDrop': { type: { kind: 'number', min: 0, max: 1 }, description: 'Warn when rank_me falls below this fraction of its highest value while loss_main stalls (0: off).' },
};
