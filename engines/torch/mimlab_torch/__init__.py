"""MIM Lab's PyTorch engine: the same CAE/MAE training as the TF.js engine, writing the same run folder.

Started as  PYTHONPATH=<repo>/engines/torch python3 -m mimlab_torch run --job JOB.json  (see __main__.py).
"""
