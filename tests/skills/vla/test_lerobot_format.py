"""The dataset writer produces LeRobot v3.0 files, and our reader gets back what was written."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from skills.vla.dataset import load_demonstrations, read_info, recorded_seeds
from skills.vla.errors import DatasetError
from skills.vla.lerobot_format import EpisodeRecord, LeRobotWriter

from .conftest import SIZE, TASKS, synthetic_episode, write_dataset


def test_info_declares_v3_layout_features_and_counts(dataset: Path, episodes) -> None:
    info = json.loads((dataset / "meta/info.json").read_text())
    assert info["codebase_version"] == "v3.0"
    assert info["fps"] == 12.5
    assert info["total_episodes"] == 4
    assert info["total_frames"] == sum(e.length for e in episodes)
    assert info["total_tasks"] == 2
    assert info["data_path"] == "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet"
    video = info["features"]["observation.images.wrist"]
    assert video["dtype"] == "video"
    assert video["shape"] == [SIZE, SIZE, 3]
    assert info["features"]["action"]["names"][-1] == "gripper_target_open"
    for rel in (
        "meta/stats.json",
        "meta/tasks.parquet",
        "meta/episodes/chunk-000/file-000.parquet",
    ):
        assert (dataset / rel).is_file(), rel
    for cam in ("overview", "wrist"):
        assert (dataset / f"videos/observation.images.{cam}/chunk-000/file-000.mp4").is_file()


def test_episode_rows_locate_frames_and_carry_success_and_seed(dataset: Path, episodes) -> None:
    rows = pq.read_table(dataset / "meta/episodes/chunk-000/file-000.parquet").to_pylist()
    assert [r["seed"] for r in rows] == [1, 2, 3, 4]
    assert [r["success"] for r in rows] == [True, True, False, True]
    assert rows[1]["dataset_from_index"] == rows[0]["dataset_to_index"] == episodes[0].length
    key = "videos/observation.images.overview"
    assert rows[1][f"{key}/from_timestamp"] == pytest.approx(episodes[0].length / 12.5)
    assert rows[1][f"{key}/to_timestamp"] == pytest.approx(
        (episodes[0].length + episodes[1].length) / 12.5
    )
    assert recorded_seeds(dataset) == {1, 2, 3, 4}


def test_stats_have_lerobot_keys_and_image_stats_per_channel(dataset: Path, episodes) -> None:
    stats = json.loads((dataset / "meta/stats.json").read_text())
    action = np.concatenate([e.action for e in episodes])
    assert set(stats["action"]) >= {"min", "max", "mean", "std", "count", "q01", "q50", "q99"}
    np.testing.assert_allclose(stats["action"]["mean"], action.mean(0), atol=1e-6)
    assert stats["action"]["count"] == [action.shape[0]]
    assert np.asarray(stats["observation.images.wrist"]["mean"]).shape == (3, 1, 1)
    assert 0.0 <= np.min(stats["observation.images.wrist"]["min"]) <= 1.0


def test_tasks_parquet_keeps_the_task_as_pandas_index(dataset: Path) -> None:
    table = pq.read_table(dataset / "meta/tasks.parquet")
    assert table.column("task").to_pylist() == list(TASKS)
    assert table.column("task_index").to_pylist() == [0, 1]
    pandas_meta = json.loads(table.schema.metadata[b"pandas"])
    assert pandas_meta["index_columns"] == ["task"]


def test_reader_returns_successful_episodes_with_decoded_frames(dataset: Path, episodes) -> None:
    demos = load_demonstrations(dataset, cameras=("overview", "wrist"), size_px=SIZE)
    assert [d.seed for d in demos] == [1, 2, 4]
    for demo, ep in zip(demos, [episodes[0], episodes[1], episodes[3]], strict=True):
        assert demo.task == ep.task
        np.testing.assert_array_equal(demo.state, ep.state)
        np.testing.assert_array_equal(demo.action, ep.action)
        for cam in ("overview", "wrist"):
            err = np.abs(demo.frames[cam].astype(int) - ep.frames[cam].astype(int)).mean()
            assert err < 2.0, (cam, err)  # H.264 at CRF 12: near-lossless
    everything = load_demonstrations(dataset, cameras=("wrist",), size_px=8, successful_only=False)
    assert len(everything) == 4
    assert everything[0].frames["wrist"].shape == (12, 8, 8, 3)


def test_writer_names_the_field_with_a_wrong_shape(tmp_path: Path) -> None:
    good = synthetic_episode(1, TASKS[0])
    bad = EpisodeRecord(good.task, 1, True, good.frames, good.state[:, :7], good.action)
    writer = LeRobotWriter(
        tmp_path,
        fps=12.5,
        cameras=("overview", "wrist"),
        image_shape=(SIZE, SIZE, 3),
        robot_type="x",
    )
    with pytest.raises(DatasetError, match=r"state has shape \(12, 7\), expected \(12, 8\)"):
        writer.add(bad)
    with pytest.raises(DatasetError, match="no episodes were recorded"):
        writer.finish()


def test_writer_refuses_to_overwrite_a_dataset(dataset: Path) -> None:
    with pytest.raises(DatasetError, match="already holds a dataset"):
        LeRobotWriter(dataset, fps=12.5, cameras=("wrist",), image_shape=(8, 8, 3), robot_type="x")


def test_reader_says_how_to_create_a_missing_dataset(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="steward record"):
        read_info(tmp_path / "nothing")


def test_reader_refuses_other_format_versions(tmp_path: Path, episodes) -> None:
    root = write_dataset(tmp_path / "d", episodes[:1])
    info = json.loads((root / "meta/info.json").read_text())
    (root / "meta/info.json").write_text(json.dumps(info | {"codebase_version": "v2.1"}))
    with pytest.raises(DatasetError, match=r"'v2\.1'; this reader needs 'v3\.0'"):
        read_info(root)


def test_reader_names_a_camera_the_dataset_lacks(dataset: Path) -> None:
    with pytest.raises(DatasetError, match="no camera top"):
        load_demonstrations(dataset, cameras=("top",), size_px=8)


LEROBOT_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from lerobot.datasets.lerobot_dataset import LeRobotDataset
    ds = LeRobotDataset("steward/test", root=sys.argv[1])
    items = [ds[i] for i in (0, 12, len(ds) - 1)]
    print(json.dumps({
        "episodes": ds.num_episodes, "frames": ds.num_frames, "fps": ds.fps,
        "tasks": [it["task"] for it in items],
        "actions": [it["action"].tolist() for it in items],
        "pixel": [float(it["observation.images.overview"].mean()) for it in items],
    }))
    """
)


@pytest.mark.skipif(
    not os.environ.get("STEWARD_LEROBOT_PYTHON"),
    reason="set STEWARD_LEROBOT_PYTHON to a Python with lerobot==0.6.1 (it needs Python >= 3.12)",
)
def test_lerobot_own_loader_reads_the_dataset(dataset: Path, episodes, tmp_path: Path) -> None:
    script = tmp_path / "load.py"
    script.write_text(LEROBOT_SCRIPT)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_LEROBOT_HOME": str(tmp_path)}
    out = subprocess.run(
        [os.environ["STEWARD_LEROBOT_PYTHON"], str(script), str(dataset)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    ).stdout
    got = json.loads(out.strip().splitlines()[-1])
    assert got["episodes"] == 4
    assert got["frames"] == sum(e.length for e in episodes)
    assert got["fps"] == 12.5
    assert got["tasks"] == [TASKS[0], TASKS[1], TASKS[1]]
    np.testing.assert_allclose(got["actions"][0], episodes[0].action[0])
    np.testing.assert_allclose(got["actions"][1], episodes[1].action[0])  # 2nd episode, frame 0
    expected_pixel = [
        e.frames["overview"][i].mean() / 255
        for e, i in ((episodes[0], 0), (episodes[1], 0), (episodes[3], -1))
    ]
    np.testing.assert_allclose(got["pixel"], expected_pixel, atol=0.02)
