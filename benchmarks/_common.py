"""What a benchmark copies into its scratch folder (the one list lives in peerstudy.paths)."""

from peerstudy.paths import ROOT, copy_workflow

scratch = copy_workflow

__all__ = ["ROOT", "scratch"]
