"""The synthetic generator: reproducible from its seed, shaped like the study."""

from __future__ import annotations

import hashlib

import pandas as pd
import pyreadstat
import pytest

from peerstudy.synth import synthesize

from .conftest import ROOT


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory, default_config, registry):
    out = tmp_path_factory.mktemp("synth")
    synthesize(default_config, registry, out)
    return out


def committed_files(config):
    paths = [config["participants_file"]["path"]] + [f["path"] for f in config["raw_files"]]
    qual = config["qualitative"]
    paths += [e["path"] for e in qual["exports"]] + [c["path"] for c in qual["agreement"]["coders"]]
    return sorted(set(paths)) + ["data/raw/catalonia/MANIFEST.json"]


def test_generator_reproduces_the_committed_exports_byte_for_byte(regenerated, default_config):
    for rel in committed_files(default_config):
        assert sha(regenerated / rel) == sha(ROOT / rel), f"{rel} differs from a regeneration"


def test_regenerated_sav_has_same_values_and_labels(regenerated):
    a, meta_a = pyreadstat.read_sav(str(regenerated / "data/raw/catalonia/psw_t1.sav"),
                                    user_missing=True)
    b, meta_b = pyreadstat.read_sav(str(ROOT / "data/raw/catalonia/psw_t1.sav"), user_missing=True)
    pd.testing.assert_frame_equal(a, b)
    assert meta_a.variable_value_labels == meta_b.variable_value_labels
    assert meta_a.missing_ranges == meta_b.missing_ranges
    assert meta_a.file_label.startswith("SYNTHETIC DATA")


def test_sav_exports_carry_spanish_labels_and_user_missing_codes():
    _, meta = pyreadstat.read_sav(str(ROOT / "data/raw/catalonia/usuarios_t1.sav"),
                                  user_missing=True)
    assert meta.variable_value_labels["SWLS1"][99.0] == "No contesta"
    assert meta.variable_value_labels["SWLS1"][1.0] == "Muy en desacuerdo"
    assert {"lo": 99.0, "hi": 99.0} in meta.missing_ranges["SWLS1"]


def test_csv_export_is_spanish_locale():
    raw = (ROOT / "data/raw/catalonia/profesionales_cami.csv").read_bytes()
    text = raw.decode("cp1252")
    assert text.splitlines()[0].startswith("Código;Nombre y apellidos;Teléfono;Centro;Momento")
    assert "\r\n" in text
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_second_study_exports_are_reproduced_byte_for_byte(tmp_path):
    from peerstudy.config import load_config, load_study_registry

    config = load_config(ROOT / "config/upsides_demo.yaml", base=ROOT, check_paths=False)
    synthesize(config, load_study_registry(config, ROOT), tmp_path)
    for path in sorted((ROOT / "data/raw/upsides_demo").iterdir()):
        rel = path.relative_to(ROOT)
        assert sha(tmp_path / rel) == sha(path), f"{rel} differs from a regeneration"
