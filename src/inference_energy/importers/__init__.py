"""Importers: read upstream repositories and write tables/<name>.csv with per-row provenance.

`inference-energy import mlperf PATH...` and `inference-energy import mlenergy PATH...`
(module `inference_energy.importers.command`).
"""
