// Top-k accuracy from class scores on the CPU (logits of a classifier or vote totals of k-NN).

/** Fraction of rows whose label is among the k highest scores. scores [n, C] row-major. Ties count against. */
export function topkAccuracy(scores: Float32Array | Float64Array, numClasses: number, labels: Int32Array, k: number): number {
  const n = labels.length;
  if (n === 0) return 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    const target = scores[row + labels[i]];
    let above = 0; // classes scoring at least as high as the label (other than the label itself)
    for (let c = 0; c < numClasses; c++) if (c !== labels[i] && scores[row + c] >= target) above++;
    if (above < k) hits++;
  }
  return hits / n;
}

/** top-5 only means something with at least 5 classes (ProbeResult.top5 is null otherwise). */
export function top5OrNull(scores: Float32Array | Float64Array, numClasses: number, labels: Int32Array): number | null {
  return numClasses >= 5 ? topkAccuracy(scores, numClasses, labels, 5) : null;
}
