"""The transcription: the paper's rows of every resource are all there, and sampled values match
the paper exactly as printed (expected values typed from the paper, table by table).

Only the paper's rows are counted: a row printed in the paper says where (`paper_source`
non-empty; in `references`, every kind but 'added'). Rows added after the paper leave it
empty and are checked against their own sources (tests/test_added_accelerators.py), so a
contribution that adds rows changes none of these counts."""

import csv

import pytest

from inference_energy.metadata import load_package

PACKAGE = load_package()

# {resource: {where the paper prints it: rows}}
PAPER_ROWS = {
    "cv_models": {"Table B.2": 94},  # both ViT-L/16 rows and both EfficientNetV2-S/M/L sets
    "nlp_models": {"Table I.7": 19},
    "gpus": {"Table J.8": 50},
    "ngc_throughput": {"Table E.3": 58},
    "efficientnet_scaling": {"Table H.5": 2, "Appendix H.1": 4},  # resolutions in Appendix H.1
    "vit_flops_by_resolution": {"Table H.6": 2, "Appendix H.2": 1},  # 518 px in Appendix H.2
    "energy_measurements": {"Table K.10": 12, "Table K.11": 6, "Table L.13": 7},
    "edge_accelerators": {"Table L.12": 23},
}
# bibliography 1-112, and the sources named in the paper's captions and footnotes
PAPER_REFERENCES = {"bibliography": 112, "paper-caption": 4, "paper-footnote": 1}
PAPER_MARKERS = {"†", "*", "♣", "♠"}


def rows(resource: str) -> list[dict]:
    with open(PACKAGE[resource].path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def find(resource: str, **key) -> dict:
    matches = [r for r in rows(resource) if all(r[k] == v for k, v in key.items())]
    assert len(matches) == 1, f"{resource} {key}: {len(matches)} rows"
    return matches[0]


def test_every_resource_is_listed_and_counted():
    assert set(PACKAGE.resources) >= set(PAPER_ROWS) | {"references", "markers"}


def counts(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return out


@pytest.mark.parametrize("resource,expected", PAPER_ROWS.items())
def test_the_paper_s_rows_are_all_there(resource, expected):
    assert counts(r["paper_source"] for r in rows(resource) if r["paper_source"]) == expected


def test_the_paper_s_references_and_markers_are_all_there():
    assert counts(r["kind"] for r in rows("references") if r["kind"] != "added") == PAPER_REFERENCES
    assert {r["symbol"] for r in rows("markers")} == PAPER_MARKERS


@pytest.mark.parametrize(
    "key,expected",
    [
        (
            dict(model="AlexNet", extra_data="No"),
            dict(
                top1_accuracy="56.52",
                top1_accuracy_refs="29",
                params_millions="61.00",
                params_millions_marker="†",
                gflops="1.42",
                gflops_marker="†",
                release_date="2012-06-01",
                model_refs="37",
            ),
        ),
        (
            dict(model="ViT-L/16", extra_data="ImageNet 21k"),
            dict(top1_accuracy="85.30", params_millions_refs="27", gflops="384.00", architecture="Transformer"),
        ),
        (dict(model="ViT-L/16", extra_data="JFT 300M"), dict(top1_accuracy="87.12", gflops="384.00")),
        (
            dict(model="EfficientNetV2-L", extra_data="No"),
            dict(top1_accuracy="85.70", gflops="106.00", release_date="2021-04-01"),
        ),
        (dict(model="EfficientNetV2-L", extra_data="ImageNet 21k"), dict(top1_accuracy="86.80")),
        (dict(model="ResNeXt-101 32 × 16d", extra_data="Custom 940M"), dict(model_refs="76;77", gflops="72.00")),
        (dict(model="ViT-G/14", extra_data="JFT 3B"), dict(gflops="5270.00", gflops_marker="*", top1_accuracy="90.45")),
        (dict(model="ResNeSt-269", extra_data="No"), dict(gflops="155.8", gflops_marker="†")),
        (dict(model="BotNet-T7", extra_data="No"), dict(architecture="Hybrid", release_date="2021-01-27")),
    ],
)
def test_cv_models_sample(key, expected):
    assert {k: find("cv_models", **key)[k] for k in expected} == expected


@pytest.mark.parametrize(
    "model,expected",
    [
        (
            "BERT Large",
            dict(
                gflops="79", params_millions="335", params_millions_marker="*", glue_score="82.1", glue_score_marker="♠"
            ),
        ),
        (
            "ELMo",
            dict(
                input_tokens="128",
                gflops_refs="40",
                input_tokens_refs="40",
                glue_score="71.2",
                glue_score_refs="40",
                glue_score_marker="♣",
            ),
        ),
        ("GPT-3", dict(input_tokens="2048", gflops="740000", gflops_refs="7", params_millions="175000", glue_score="")),
        (
            "Theseus 6/768",
            dict(gflops="11.3", gflops_refs="53", glue_score="77.1", glue_score_refs="53", glue_score_marker=""),
        ),
    ],
)
def test_nlp_models_sample(model, expected):
    assert {k: find("nlp_models", model=model)[k] for k in expected} == expected


@pytest.mark.parametrize(
    "gpu,precision,tflops,watts,date,gpu_type",
    [
        ("GeForce GTX 580", "FP32", "1.58", "244", "2010-11-09", "Desktop"),
        ("A40", "FP32", "37.4", "300", "2020-10-05", "Server"),
        ("T4", "FP16/FP32 Tensor", "65.00", "70", "2018-09-13", "Server"),
        ("Nvidia Titan RTX", "FP16/FP32 Tensor", "130.50", "280", "2018-12-18", "Desktop"),
    ],
)
def test_gpus_sample(gpu, precision, tflops, watts, date, gpu_type):
    row = find("gpus", gpu=gpu, precision=precision)
    assert (row["tflops"], row["tdp_watts"], row["launch_date"], row["gpu_type"]) == (tflops, watts, date, gpu_type)


def test_one_name_for_the_t4():
    assert {r["gpu"] for r in rows("gpus") if "T4" in r["gpu"]} == {"T4"}


def test_ngc_nlp_rows_are_repaired():
    # The paper prints these rows shifted by one or two columns; stored in their proper columns.
    row = find("ngc_throughput", model="BERT-LARGE", gpu="A100 80GB", precision="Mixed")
    assert (row["task"], row["framework"], row["batch_size"], row["throughput"]) == ("NLP", "TensorFlow", "8", "342.22")
    row = find("ngc_throughput", model="Transformer", gpu="A100 40GB", precision="TF32")
    assert (row["task"], row["framework"], row["batch_size"], row["throughput"]) == ("NLP", "PyTorch", "10240", "7755")
    assert sum(r["task"] == "NLP" for r in rows("ngc_throughput") if r["paper_source"]) == 22


def test_energy_measurements_sample():
    assert find("energy_measurements", model="Vgg16", device="RTX 2080 Ti")["joules"] == "0.555"
    t4 = find("energy_measurements", model="ResNet-50", device="Nvidia Tesla T4", precision="FP16")
    assert (t4["throughput_per_second"], t4["power_watts"], t4["power_watts_refs"]) == ("2195", "74", "105")
    nano = find("energy_measurements", device="NVIDIA Jetson Nano")
    assert (nano["throughput_per_second"], nano["power_watts"], nano["device_launch_year"]) == (
        "42.65",
        "10.00",
        "2019",
    )
    # Printed as "1.506.53" (a thousands separator typed as a dot): see docs/typos.md.
    assert (
        find("energy_measurements", device="Auvidea X220-LC AGX Xavier 32GB (MaxQ, TensorRT)")["throughput_per_second"]
        == "1506.53"
    )


def test_edge_and_appendix_h_sample():
    assert find("edge_accelerators", device="GTI Lightspeeur SPR2801S")["gops_per_watt"] == "15750"
    assert find("efficientnet_scaling", model="EfficientNet-L2")["depth_coefficient"] == "5.3"
    assert find("vit_flops_by_resolution", resolution_px="384")["gflops"] == "2859.9"


def test_bibliography_is_complete():
    refs = rows("references")
    assert [int(r["ref_id"]) for r in refs if r["kind"] == "bibliography"] == list(range(1, 113))
    assert find("references", ref_id="40")["arxiv_id"] == "2003.10555"
    assert find("references", ref_id="9")["doi"] == "10.1109/BDCloud-SocialCom-SustainCom.2016.76"
    assert find("references", ref_id="112")["citation"].startswith("S. Kim, A. Gholami")
