// Cheap up-front checks of an opened dataset, so that a dataset that cannot serve a job is refused (DatasetError,
// exit 2, naming the folder) before any run or probe folder exists: a few images must decode (without reading
// everything), and jobs that use labels need at least two classes.
import { subsampleIndices } from './stats';
import { CorruptImageError, DatasetError, type Split } from './types';

/** Images tried per split: evenly spread, so one bad class folder cannot hide the others. */
export const DECODE_PROBES = 8;

/** Distinct labels in a split (labels are cheap: no decoding). */
export function classCount(split: Split): number {
  const seen = new Set<number>();
  for (let i = 0; i < split.length; i++) seen.add(split.label(i));
  return seen.size;
}

/**
 * Refuses a split none of whose probed images decodes (e.g. every file corrupt or not really an image). Some bad
 * files among good ones are fine: training skips, counts and reports them.
 */
export async function requireDecodable(split: Split, where: string, probes = DECODE_PROBES): Promise<void> {
  const failures: CorruptImageError[] = [];
  for (const i of subsampleIndices(split.length, probes)) {
    try {
      await split.read(i);
      return;
    } catch (err) {
      if (!(err instanceof CorruptImageError)) throw err;
      failures.push(err);
    }
  }
  const tried = failures.length === split.length ? `all ${split.length} files failed` : `none of ${failures.length} files tried across its ${split.length} did`;
  throw new DatasetError(`data.path: no image decoded in ${where}: ${tried} (e.g. ${failures[0]?.message ?? 'no file'}); expected readable PNG or JPEG files`);
}

/** Refuses a split with fewer than `min` classes, for jobs whose result depends on labels (probes). */
export function requireClasses(split: Split, where: string, purpose: string, min = 2): void {
  const n = classCount(split);
  if (n < min) throw new DatasetError(`data.path: ${where} has ${n} class${n === 1 ? '' : 'es'}; ${purpose} needs at least ${min} (one sub-folder per class)`);
}
