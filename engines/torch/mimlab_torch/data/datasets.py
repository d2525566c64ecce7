"""The dataset readers of src/data (synthetic, IDX, CIFAR-10/100, image folders), opened from a Config.

Everything that makes a dataset unusable is found here, before any run folder exists, and raised as a
DatasetError naming the config key or the file.
"""
import gzip
import os
import re

import numpy as np

from .synthetic import CLASSES, SyntheticSplit
from .types import CorruptImage, Dataset, DatasetError, Split


def open_dataset(config):
    d = config['data']
    if d['channels'] not in (1, 3):
        raise DatasetError(f"data.channels must be 1 or 3, got {d['channels']}")
    if d['dataset'] == 'synthetic':
        size = d['imageSize']
        return Dataset('synthetic', SyntheticSplit('train', d['syntheticTrain'], size), SyntheticSplit('test', d['syntheticTest'], size), list(CLASSES), 3)
    if not d['path']:
        raise DatasetError(f"data.path is empty: dataset '{d['dataset']}' needs the folder that holds its files")
    root = os.path.abspath(d['path'])
    if not os.path.exists(root):
        raise DatasetError(f'data.path does not exist: {root}')
    kind = d['dataset']
    if kind == 'idx':
        ds = open_idx(root)
    elif kind in ('cifar10', 'cifar100'):
        ds = open_cifar(root, kind)
    elif kind == 'folder':
        ds = open_folder(root)
    else:
        raise DatasetError(f'data.dataset: unknown kind {kind}')
    if len(ds.train) == 0:
        raise DatasetError(f'data.path {root}: the train split is empty')
    if len(ds.test) == 0:
        raise DatasetError(f'data.path {root}: the test split is empty')
    return ds


def _candidate_dirs(root, names):
    return [root] + [os.path.join(root, n) for n in names if os.path.isdir(os.path.join(root, n))]


def _find_file(dirs, names):
    for d in dirs:
        for n in names:
            for c in (n, n + '.gz'):
                p = os.path.join(d, c)
                if os.path.isfile(p):
                    return p
    return None


def _read_whole(file):
    try:
        raw = open(file, 'rb').read()
    except OSError as e:
        raise DatasetError(f'{file}: cannot read ({e})')
    if not file.endswith('.gz'):
        return raw
    try:
        return gzip.decompress(raw)
    except Exception as e:  # noqa: BLE001 - any gzip failure is a broken file
        raise DatasetError(f'{file}: not a valid gzip file, truncated? ({e})')


# ---- IDX (MNIST family) -------------------------------------------------------------------------------------

class ArraySplit(Split):
    """Images held in memory: uint8 [n, H, W, C] and labels [n]."""

    def __init__(self, images, labels):
        self.images, self.labels, self.length = images, labels, len(labels)

    def label(self, i):
        return int(self.labels[i])

    def read(self, i):
        return self.images[i].copy()


def parse_idx(file, buf, ranks):
    if len(buf) < 4 or buf[0] != 0 or buf[1] != 0:
        raise DatasetError(f'{file}: not an IDX file (bad magic number)')
    if buf[2] != 0x08:
        raise DatasetError(f'{file}: IDX element type 0x{buf[2]:x} is not unsigned byte (0x08)')
    ndim = buf[3]
    if ndim not in ranks:
        raise DatasetError(f"{file}: IDX rank {ndim}, expected {' or '.join(map(str, ranks))}")
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise DatasetError(f'{file}: truncated header, expected {header} bytes but the file has {len(buf)}')
    dims = [int.from_bytes(buf[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    if any(d == 0 for d in dims[1:]):
        raise DatasetError(f"{file}: IDX header has a zero dimension ({'×'.join(map(str, dims))})")
    expected = header + int(np.prod(dims))
    if len(buf) != expected:
        what = 'truncated' if len(buf) < expected else 'longer than its header says'
        raise DatasetError(f"{file}: {what}: expected {expected} bytes for {'×'.join(map(str, dims))}, got {len(buf)}")
    return dims, np.frombuffer(buf, np.uint8, offset=header)


def _idx_split(dirs, root, image_names, label_names):
    img_file, lab_file = _find_file(dirs, image_names), _find_file(dirs, label_names)
    if not img_file:
        raise DatasetError(f'idx: {image_names[0]} (or .gz / {image_names[1]}) not found in {root}')
    if not lab_file:
        raise DatasetError(f'idx: {label_names[0]} (or .gz / {label_names[1]}) not found in {root}')
    dims, data = parse_idx(img_file, _read_whole(img_file), [3, 4])
    ldims, labels = parse_idx(lab_file, _read_whole(lab_file), [1])
    n, h, w = dims[:3]
    c = dims[3] if len(dims) == 4 else 1
    if c not in (1, 3):
        raise DatasetError(f'{img_file}: {c} channels per pixel, expected 1 or 3')
    if ldims[0] != n:
        raise DatasetError(f'idx: {img_file} has {n} images but {lab_file} has {ldims[0]} labels')
    return ArraySplit(data.reshape(n, h, w, c), labels), (h, w, c)


def open_idx(root):
    dirs = _candidate_dirs(root, ['raw'])
    train, tshape = _idx_split(dirs, root, ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'], ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'])
    test, sshape = _idx_split(dirs, root, ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'], ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'])
    if tshape != sshape:
        raise DatasetError(f'idx: train images are {tshape} but test images are {sshape} in {root}')
    classes = int(max(train.labels.max(), test.labels.max())) + 1
    return Dataset(f'idx:{root}', train, test, [str(i) for i in range(classes)], tshape[2])


# ---- CIFAR binary -------------------------------------------------------------------------------------------

CIFAR = {
    'cifar10': dict(label_bytes=1, label_at=0, classes=10, test='test_batch.bin', sub='cifar-10-batches-bin', names='batches.meta.txt'),
    'cifar100': dict(label_bytes=2, label_at=1, classes=100, test='test.bin', sub='cifar-100-binary', names='fine_label_names.txt'),
}
CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']


def _cifar_file(file, layout):
    buf = _read_whole(file)
    record = layout['label_bytes'] + 3072
    if len(buf) == 0 or len(buf) % record != 0:
        raise DatasetError(f'{file}: {len(buf)} bytes is not a whole number of {record}-byte records (truncated or not a CIFAR binary file)')
    rec = np.frombuffer(buf, np.uint8).reshape(-1, record)
    labels = rec[:, layout['label_at']]
    bad = np.nonzero(labels >= layout['classes'])[0]
    if len(bad):
        raise DatasetError(f"{file}: label {labels[bad[0]]} at record {bad[0]} is not below {layout['classes']}")
    images = rec[:, layout['label_bytes']:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # planar → HWC
    return images, labels


def _cifar_split(files, layout):
    parts = [_cifar_file(f, layout) for f in files]
    return ArraySplit(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


def open_cifar(root, kind):
    layout = CIFAR[kind]
    d = next((d for d in _candidate_dirs(root, [layout['sub']]) if os.path.exists(os.path.join(d, layout['test']))), None)
    if not d:
        raise DatasetError(f"{kind}: {layout['test']} not found in {root} or {os.path.join(root, layout['sub'])}")
    if kind == 'cifar10':
        train = sorted((f for f in os.listdir(d) if re.fullmatch(r'data_batch_\d+\.bin', f)), key=lambda f: int(f[11:-4]))
    else:
        train = [f for f in os.listdir(d) if f == 'train.bin']
    if not train:
        raise DatasetError(f"{kind}: no training file ({'data_batch_1.bin …' if kind == 'cifar10' else 'train.bin'}) in {d}")
    names_file = os.path.join(d, layout['names'])
    names = []
    if os.path.exists(names_file):
        names = [s.strip() for s in open(names_file).read().splitlines() if s.strip()]
    if len(names) != layout['classes']:
        names = list(CIFAR10_NAMES) if layout['classes'] == 10 else [str(i) for i in range(layout['classes'])]
    return Dataset(f'{kind}:{root}', _cifar_split([os.path.join(d, f) for f in train], layout),
                   _cifar_split([os.path.join(d, layout['test'])], layout), names, 3)


# ---- image folders ------------------------------------------------------------------------------------------

IMAGE_EXT = re.compile(r'\.(png|jpe?g)$', re.I)


def _pil():
    try:
        from PIL import Image
        return Image
    except ImportError:
        raise DatasetError('data.dataset=folder needs Pillow to decode PNG/JPEG in the torch engine '
                           '(Debian: apt-get install python3-pil; pip: pip install pillow)')


class FolderSplit(Split):
    def __init__(self, files, labels):
        self.files, self.labels, self.length = files, labels, len(files)

    def label(self, i):
        return self.labels[i]

    def read(self, i):
        image = _pil()
        try:
            with image.open(self.files[i]) as im:
                im = im.convert('RGBA' if im.mode in ('RGBA', 'LA', 'P') else 'RGB' if im.mode not in ('L',) else 'L')
                a = np.asarray(im, np.uint8)
        except Exception as e:  # noqa: BLE001 - any decoder failure makes this one file unreadable
            raise CorruptImage(self.files[i], str(e))
        return a[..., None] if a.ndim == 2 else a


def _list_split(d, class_index, allow_new):
    files, labels, classes = [], [], 0
    for name in sorted(os.listdir(d)):  # code-point order, as the TS sorts
        cdir = os.path.join(d, name)
        if not os.path.isdir(cdir):
            continue
        classes += 1
        if name not in class_index:
            if not allow_new:
                raise DatasetError(f"folder: class '{name}' in {d} has no folder in the train split")
            class_index[name] = len(class_index)
        for f in sorted(os.listdir(cdir)):
            if IMAGE_EXT.search(f) and os.path.isfile(os.path.join(cdir, f)):
                files.append(os.path.join(cdir, f))
                labels.append(class_index[name])
    if classes == 0:
        raise DatasetError(f'folder: no class sub-folders in {d} (expected {d}/<class>/*.png|jpg)')
    if not files:
        raise DatasetError(f'folder: no .png/.jpg/.jpeg images in the class folders of {d}')
    return FolderSplit(files, labels)


def open_folder(root):
    train_dir = os.path.join(root, 'train')
    if not os.path.isdir(train_dir):
        raise DatasetError(f'folder: no train folder at {train_dir}')
    test_dir = next((os.path.join(root, n) for n in ('val', 'test') if os.path.isdir(os.path.join(root, n))), None)
    if not test_dir:
        raise DatasetError(f"folder: no evaluation split, expected {os.path.join(root, 'val')} or {os.path.join(root, 'test')}")
    _pil()
    class_index = {}
    train = _list_split(train_dir, class_index, True)
    test = _list_split(test_dir, class_index, False)
    return Dataset(f'folder:{root}', train, test, list(class_index), 3)
