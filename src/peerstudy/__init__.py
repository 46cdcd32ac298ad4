"""peerstudy: reusable logic behind the peer-support evaluation workflow.

Modules are organised by concern (config, io, ingest, instruments, scoring,
reliability, synth); the Snakemake rule scripts in ``scripts/`` only adapt
Snakemake's inputs to the functions defined here.
"""

__version__ = "0.1.0"
