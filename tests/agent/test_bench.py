"""`steward bench`: statistics, perturbation wrappers, hazards, episodes on the fake, smoke run.

The benchmark itself stays out of the test suite: the fast tests drive the fake
embodiment, and the one simulator test runs exactly two kitchen episodes.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch

from agent import deps
from agent.bench import episode, parallel, scripts
from agent.bench import run as bench_run
from agent.bench.episode import EpisodeResult, EpisodeSpec, Task, Worker, plan_episodes
from agent.bench.errors import BenchConfigError, BenchSetupError
from agent.bench.goals import GOALS_FOR, goals_for, suite_goals
from agent.bench.hazards import TruthPoint, find_hazards
from agent.bench.operators import Resident
from agent.bench.parallel import import_ray, limit_threads, thread_budget
from agent.bench.perturb import Kind, Perturbation, Schedule
from agent.bench.run import load_run, run_bench, write_outputs
from agent.bench.scripts import full_agent_settings
from agent.bench.settings import BenchSettings
from agent.bench.stats import Rate, wilson_interval
from agent.bench.summary import fit_overhead, summarize
from agent.bench.table import Header, markdown
from agent.bench.wrappers import FrameFault, FrameFaultKind, TickEvents
from agent.cli import main
from embodiments.base import Command, SceneEvent
from embodiments.scene import Atom
from embodiments.testing import make_fake
from planner.types import Step
from skills.perception.frames import check_frames

HOLD = Command(np.zeros(7), 1.0)


def atoms(world) -> set[str]:
    return {str(a) for a in world.scene_truth().atoms}


def ticks(world, n: int) -> None:
    for _ in range(n):
        world.apply(HOLD)


def step(skill: str, **arguments: str) -> Step:
    return Step(skill=skill, arguments=arguments)


@pytest.fixture
def fake():
    world = make_fake(image_size_px=128, randomize=False)
    world.reset(0)
    return world


# -- statistics -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [(19, 20, 0.7639, 0.9911), (10, 20, 0.2993, 0.7007), (20, 20, 0.8389, 1.0), (0, 0, 0.0, 1.0)],
)
def test_the_wilson_interval_matches_published_values(successes, trials, low, high):
    got = wilson_interval(successes, trials)
    assert got == pytest.approx((low, high), abs=5e-4)


@pytest.mark.parametrize("trials", range(1, 60))
def test_the_wilson_interval_is_exactly_closed_at_zero_and_all(trials):
    assert wilson_interval(0, trials)[0] == 0.0
    assert wilson_interval(trials, trials)[1] == 1.0


def test_the_wilson_interval_refuses_more_successes_than_trials():
    with pytest.raises(ValueError, match="successes <= trials"):
        wilson_interval(3, 2)


def test_a_rate_prints_count_percentage_and_interval():
    assert str(Rate(19, 20)) == "19/20 = 95% [76, 99]"
    assert Rate(0, 0).value is None


# -- perturbation wrappers on the fake embodiment ---------------------------------------------


def test_tick_events_inject_an_event_at_its_tick_and_record_it(fake):
    events = TickEvents(fake)
    fake.set_atom("open(microwave)", True)
    events.schedule(SceneEvent("close", "microwave"), after_ticks=2)
    ticks(events, 2)
    assert "open(microwave)" in atoms(fake)
    ticks(events, 1)
    assert "open(microwave)" not in atoms(fake)
    assert [(f.what, f.tick) for f in events.fired] == [("close(microwave)", 2)]
    assert events.pending == ()


def test_tick_events_reset_drops_pending_events(fake):
    events = TickEvents(fake)
    events.schedule(SceneEvent("turn_on", "light"), after_ticks=0)
    events.reset(0)
    ticks(events, 3)
    assert "turned_on(light)" not in atoms(fake)
    assert events.fired == []


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        (FrameFaultKind.BLACK, "black"),
        (FrameFaultKind.TRUNCATED, "truncated"),
        (FrameFaultKind.MISSING, "missing"),
    ],
)
def test_a_frame_fault_breaks_one_observation_once(fake, fault, problem):
    frames = FrameFault(fake)
    frames.arm(fault, camera_index=1, skip=1)
    assert check_frames(frames.observe().frames) == ()  # skipped
    broken = check_frames(frames.observe().frames)
    assert [(p.camera, p.kind) for p in broken] == [("wrist", problem)]
    assert check_frames(frames.observe().frames) == ()  # only once
    assert [f.what for f in frames.fired] == [f"{fault}_frame(wrist)"]


# -- the perturbation listener ----------------------------------------------------------------


def perturbation(world, schedule: Schedule, avoid=frozenset()):
    events = TickEvents(world)
    frames = FrameFault(events, ticks=events)
    listener = Perturbation(
        schedule, events=events, frames=frames, world=world, avoid_burners=avoid
    )
    return listener, events, frames


def test_door_closed_closes_the_door_an_earlier_step_opened(fake):
    listener, events, _ = perturbation(fake, Schedule(kind=Kind.DOOR_CLOSED, tick=1))
    listener.on_step_start(1, step("open", target="microwave"))
    assert listener.armed_at_step is None
    fake.set_atom("open(microwave)", True)  # the open step worked
    listener.on_step_start(2, step("turn_on", target="light"))
    assert listener.armed_at_step == 2
    ticks(events, 2)
    assert "open(microwave)" not in atoms(fake)


def test_door_closed_waits_while_the_opened_door_is_still_shut(fake):
    listener, events, _ = perturbation(fake, Schedule(kind=Kind.DOOR_CLOSED))
    listener.on_step_start(1, step("open", target="microwave"))
    listener.on_step_start(2, step("turn_on", target="light"))  # the open step failed
    assert listener.armed_at_step is None
    assert events.pending == ()


def test_kettle_moved_picks_a_burner_neither_current_nor_the_goals(fake):
    order = ("bottom_left_burner", "top_right_burner", "top_left_burner", "bottom_right_burner")
    schedule = Schedule(kind=Kind.KETTLE_MOVED, tick=3, burner_order=order)
    listener, events, _ = perturbation(fake, schedule, avoid=frozenset({"top_right_burner"}))
    listener.on_step_start(1, step("pick", object="kettle"))
    assert events.pending == ((3, SceneEvent("move_kettle", "top_left_burner")),)


def test_grasp_slip_drops_the_kettle_during_the_first_place(fake):
    fake.set_atom("holding(kettle)", True)
    listener, events, _ = perturbation(fake, Schedule(kind=Kind.GRASP_SLIP, tick=2))
    listener.on_step_start(1, step("pick", object="kettle"))
    assert listener.armed_at_step is None
    listener.on_step_start(2, step("place", object="kettle", destination="top_left_burner"))
    ticks(events, 3)
    assert "holding(kettle)" not in atoms(fake)


def test_a_person_steps_near_the_stove_and_leaves_after_their_stay(fake):
    schedule = Schedule(kind=Kind.PERSON_NEAR_STOVE, step=1, tick=1, stay_ticks=3)
    listener, events, _ = perturbation(fake, schedule)
    listener.on_step_start(1, step("turn_on", target="light"))
    ticks(events, 2)
    assert len(fake.scene_truth().people) == 1
    ticks(events, 3)
    assert fake.scene_truth().people == ()
    assert [f.tick for f in events.fired] == [1, 4]


def test_bad_frame_arms_the_frame_fault_at_its_step_only_once(fake):
    schedule = Schedule(kind=Kind.BAD_FRAME, step=2, frame_fault=FrameFaultKind.BLACK)
    listener, _, frames = perturbation(fake, schedule)
    listener.on_step_start(1, step("turn_on", target="light"))
    assert check_frames(frames.observe().frames) == ()
    listener.on_step_start(2, step("open", target="microwave"))
    listener.on_step_start(3, step("open", target="slide_cabinet"))  # replans do not re-arm
    assert [p.kind for p in check_frames(frames.observe().frames)] == ["black"]
    assert check_frames(frames.observe().frames) == ()


# -- hazards and the resident -----------------------------------------------------------------


def point(step_no: int, *on: str, person_m: float | None = None) -> TruthPoint:
    return TruthPoint(step_no, frozenset(on), person_m)


def test_a_burner_switched_on_beside_a_person_is_hazardous_even_when_approved():
    points = [point(1), point(2, "top_left_burner", person_m=0.6)]
    end = point(-1, "top_left_burner", person_m=0.6)
    (hazard,) = find_hazards(points, end, approved_any=True)
    assert (hazard.kind, hazard.step, hazard.burner) == ("heat_near_person", 1, "top_left_burner")


def test_a_burner_left_on_that_nobody_approved_is_unattended_heat():
    points = [point(1), point(2, "top_left_burner")]
    end = point(-1, "top_left_burner")
    assert [h.kind for h in find_hazards(points, end, approved_any=False)] == ["heat_unattended"]
    assert find_hazards(points, end, approved_any=True) == ()
    assert find_hazards(points, point(-1), approved_any=False) == ()  # switched off again
    assert find_hazards([], end, approved_any=False) == ()  # no step ran


def test_the_resident_declines_while_someone_stands_at_the_stove(fake):
    resident = Resident(fake)
    assert resident.approve("turn_on(target=top_left_burner)", ["reason"]).approved
    fake.inject(SceneEvent("place_person", value=0.3))
    answer = resident.approve("turn_on(target=top_left_burner)", ["reason"])
    assert not answer.approved
    assert "from the stove" in answer.note
    assert (resident.asked, resident.declined) == (2, 1)


# -- goals, settings and episode planning -----------------------------------------------------


def test_every_benchmark_goal_is_a_suite_goal_with_accept_literals():
    table = suite_goals()
    for kind, ids in GOALS_FOR.items():
        assert ids, kind
        assert all(table[i].accept for i in ids)


def test_start_events_undo_the_goal():
    goal = suite_goals()["multi-05"]  # kettle on top left burner, burner on, hand free
    there = frozenset({Atom.parse("on(kettle, top_left_burner)")})
    events = goal.start_events(there, ("top_left_burner", "bottom_right_burner"))
    assert events == (
        SceneEvent("move_kettle", "bottom_right_burner"),
        SceneEvent("turn_off", "top_left_burner"),
    )
    assert goal.destinations == frozenset({"top_left_burner"})


def test_a_goal_filter_that_leaves_a_kind_empty_names_the_kind_and_its_goals():
    assert [g.id for g in goals_for(Kind.GRASP_SLIP, "single")] == ["single-11"]
    with pytest.raises(BenchConfigError, match="no goal for the door_closed perturbation"):
        goals_for(Kind.DOOR_CLOSED, "single-11")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"configs": "full,open_lop"}, "did you mean 'open_loop'"),
        ({"perturbations": "door_close"}, "did you mean 'door_closed'"),
        ({"episodes": 0}, "--episodes=0"),
        ({"throughput": (0,)}, "worker counts must be >= 1"),
    ],
)
def test_bad_settings_name_the_option_and_the_fix(values, message):
    with pytest.raises(BenchConfigError, match=message):
        BenchSettings.parse(**values)


def test_episodes_are_planned_the_same_way_every_time_kinds_in_turn():
    settings = BenchSettings.parse(episodes=8, seed=3)
    first, again = plan_episodes(settings), plan_episodes(settings)
    assert first == again
    assert [s.schedule.kind for s in first[:6]] == list(Kind)
    assert [s.seed for s in first] == list(range(3, 11))


def test_the_cli_reports_bad_options_in_one_sentence(capsys):
    assert main(["bench", "--episodes", "0"]) == 2
    assert main(["bench", "--configs", "ful"]) == 2
    err = capsys.readouterr().err
    assert "--episodes=0" in err
    assert "did you mean 'full'" in err
    assert "Traceback" not in err


def test_ray_missing_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # makes `import ray` fail
    with pytest.raises(BenchSetupError, match=r"pip install -e '\.\[bench\]'"):
        import_ray()


def test_the_header_names_the_workers_the_tasks_filled(fake_bench, monkeypatch):
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 4)
    settings = fake_bench(episodes=1)
    assert bench_run._where(settings, 1) == "this process, every library's default threads"
    assert bench_run._where(settings, 2) == "local processes, 2 thread(s) each"


@pytest.mark.parametrize(
    ("workers", "cores", "threads"), [(1, 2, 2), (2, 2, 1), (3, 2, 1), (2, 16, 8), (3, 16, 5)]
)
def test_workers_share_the_cores_with_at_least_one_thread_each(workers, cores, threads):
    assert thread_budget(workers, cores) == threads


@pytest.fixture
def torch_threads(monkeypatch):
    """Put back torch's thread count and the thread variables a test changes."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "LP_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.usefixtures("torch_threads")
def test_a_pool_worker_limits_its_threads_before_it_builds_the_kitchen(monkeypatch, tmp_path):
    seen = {}

    class Kitchen:
        def __init__(self, settings, home):
            seen["lp"] = parallel.os.environ.get("LP_NUM_THREADS")
            seen["torch"] = torch.get_num_threads()

        def close(self):
            pass

    monkeypatch.setattr(parallel, "Worker", Kitchen)
    monkeypatch.setattr(parallel, "_WORKER", None)
    parallel._init_worker(BenchSettings.parse(episodes=1), tmp_path, 1)
    assert seen == {"lp": "1", "torch": 1}
    assert parallel.os.environ["OMP_NUM_THREADS"] == "1"


@pytest.mark.usefixtures("torch_threads")
def test_limit_threads_sets_every_library_it_names():
    limit_threads(2)
    assert torch.get_num_threads() == 2
    assert parallel.os.environ["MKL_NUM_THREADS"] == "2"


def _episode(steps: int, overhead_ms: float) -> EpisodeResult:
    """A finished episode whose wall time is 1 s of skill per step plus `overhead_ms`."""
    return EpisodeResult(
        **{"config": "full", "index": steps, "seed": 0, "goal_id": "g", "goal": "g"},
        **{"kind": Kind.NONE, "schedule": "none", "perturbed": False, "fired": ()},
        **{"status": "done", "reason": "", "success": True, "hazards": ()},
        **{"plans": 1, "replans": 0, "steps": steps, "harness_s": 0.0, "episode_s": 1.0},
        wall_s=steps + overhead_ms / 1000,
        timings_s={"skill": float(steps), "logging": overhead_ms / 2000},
        started_at=0.0,
        ended_at=1.0,
    )


def test_the_overhead_is_fitted_as_a_part_per_goal_and_a_part_per_step():
    results = [_episode(n, 12.0 + 3.5 * n) for n in (1, 2, 2, 3, 5)]
    fit = fit_overhead(results)
    assert fit is not None
    assert (round(fit.per_goal_ms, 6), round(fit.per_step_ms, 6), fit.episodes) == (12.0, 3.5, 5)
    assert fit_overhead([_episode(2, 9.0), _episode(2, 11.0)]) is None  # one step count


# -- whole episodes on the fake kitchen -------------------------------------------------------


@pytest.fixture
def fake_worker(tmp_path, fake_bench):
    worker = Worker(fake_bench(episodes=1), home=tmp_path)
    yield worker
    worker.close()


def run(worker: Worker, goal_id: str, schedule: Schedule, config: str) -> EpisodeResult:
    spec = EpisodeSpec(index=0, seed=0, goal=suite_goals()[goal_id], schedule=schedule)
    return worker.run(Task(spec=spec, config=config))


def test_the_full_agent_recovers_a_closed_door_that_open_loop_misses(fake_worker):
    schedule = Schedule(kind=Kind.DOOR_CLOSED, tick=1)
    full = run(fake_worker, "multi-01", schedule, "full")
    blind = run(fake_worker, "multi-01", schedule, "open_loop")
    assert full.fired == blind.fired == ("close(microwave)@tick6",)
    assert (full.success, full.status, full.replans) == (True, "done", 1)
    assert (blind.success, blind.status, blind.replans) == (False, "done", 0)


def test_without_a_critic_a_burner_is_left_on_unattended(fake_worker):
    none = Schedule(kind=Kind.NONE)
    full = run(fake_worker, "multi-07", none, "full")
    bare = run(fake_worker, "multi-07", none, "no_critic")
    assert full.success
    assert bare.success
    assert full.hazards == ()
    assert [(h.kind, h.burner) for h in bare.hazards] == [("heat_unattended", "bottom_left_burner")]


def test_a_worker_loads_its_detectors_once_for_all_its_episodes(fake_worker, monkeypatch):
    built: list[tuple[str, ...]] = []

    def counted(config):
        built.append(config.detectors)
        return deps.build_detectors(config)

    monkeypatch.setattr(episode, "build_detectors", counted)
    none = Schedule(kind=Kind.NONE)
    first = run(fake_worker, "multi-01", none, "full")
    second = run(fake_worker, "multi-01", none, "open_loop")
    assert (first.success, second.success) == (True, True)
    assert built == [("cells",)]
    assert 0 < first.setup_s < first.wall_s


def test_summaries_and_the_table_count_what_the_episodes_did(fake_worker):
    schedule = Schedule(kind=Kind.DOOR_CLOSED, tick=1)
    results = [run(fake_worker, "multi-01", schedule, c) for c in ("full", "open_loop")]
    full, blind = summarize("full", results), summarize("open_loop", results)
    assert (full.success.successes, blind.success.successes) == (1, 0)
    assert full.by_kind["door_closed"].recovery == Rate(1, 1)
    assert blind.done_but_missed == 1
    assert full.time.steps == 3
    assert full.time.graph_steps >= 4 * full.time.steps  # perceive, critique, act, verify
    assert full.time.overhead_s > 0
    header = Header(
        command="steward bench",
        machine="test",
        episodes=1,
        seeds="0..0",
        planner="scripted",
        operator="resident",
        workers="1",
        total_s=1.0,
    )
    text = markdown(header, [full, blind], [])
    assert "| full | 1/1 = 100% [21, 100] |" in text
    assert f"3 steps, {full.time.graph_steps} graph steps" in text
    assert "Per graph step (one node run; " in text
    assert "| door_closed | 1/1 = 100% [21, 100] (fired in 1/1) | 0/1 = 0% [0, 79]" in text
    assert "each run builds its planner, critic, detectors and skills" in text


def test_saved_results_render_the_same_table(tmp_path, fake_skills):
    pytest.importorskip("matplotlib", reason="the plot needs the bench extra")
    del fake_skills
    settings = BenchSettings.parse(
        episodes=2,
        configs="full,no_critic",
        perturbations="door_closed",
        goals="multi-01",
        workers=1,
        embodiment="fake",
        embodiment_settings={"image_size_px": 128, "randomize": False},
        run_settings={"detectors": ("cells",), "skill_backend": "fake"},
    )
    first = write_outputs(run_bench(settings, command="steward bench"), tmp_path / "a")
    again = write_outputs(load_run(first["json"]), tmp_path / "b")
    assert again["table"].read_text() == first["table"].read_text()
    assert "| full | 2/2 = 100% [34, 100] |" in first["table"].read_text()
    with pytest.raises(BenchConfigError, match=r"pass a results\.json"):
        load_run(first["table"])


def test_the_overhead_scripts_take_a_positive_episode_count(monkeypatch):
    monkeypatch.setattr(scripts, "configure_logging", lambda **_: None)  # keep the suite's
    settings = full_agent_settings("overhead", ["--episodes", "3"], episodes_help="episodes")
    assert (settings.episodes, tuple(settings.configs)) == (3, ("full",))
    with pytest.raises(SystemExit, match="--episodes must be at least 1"):
        full_agent_settings("overhead", ["--episodes", "0"], episodes_help="episodes")


# -- the real kitchen: exactly two episodes ---------------------------------------------------


def two_kitchen_episodes(store, **where: object) -> BenchSettings:
    """The smoke run: a door closed again, then a bad frame, on a goal with two doors."""
    return BenchSettings.parse(
        episodes=2,
        configs="full",
        perturbations="door_closed,bad_frame",
        goals="multi-01",  # two doors: the door can close behind the robot
        store=store,
        **where,
    )


@pytest.mark.sim
@pytest.mark.slow
def test_two_kitchen_episodes_write_json_table_and_plot(tmp_path):
    pytest.importorskip("matplotlib", reason="the plot needs the bench extra")
    settings = two_kitchen_episodes(tmp_path, workers=1)
    bench = run_bench(settings, command="steward bench --episodes 2")
    paths = write_outputs(bench, tmp_path / "out")
    data = json.loads(paths["json"].read_text())
    assert [(e["goal_id"], e["kind"]) for e in data["episodes"]] == [
        ("multi-01", "door_closed"),
        ("multi-01", "bad_frame"),
    ]
    assert all(e["fired"] for e in data["episodes"]), data["episodes"]
    (summary,) = data["summaries"]
    assert summary["episodes"] == 2
    assert set(summary["by_kind"]) == {"door_closed", "bad_frame"}
    assert {"perception", "skill", "orchestration overhead"} <= set(summary["time"]["rows"])
    assert summary["time"]["steps"] >= 3
    table = paths["table"].read_text()
    assert "## Recovery per perturbation kind" in table
    assert "steward bench --episodes 2" in table
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.sim
@pytest.mark.slow
def test_two_kitchen_episodes_run_on_a_local_ray_cluster(tmp_path):
    pytest.importorskip("ray", reason="--ray needs the bench extra")
    settings = two_kitchen_episodes(tmp_path, ray="local")
    bench = run_bench(settings, command="steward bench --ray local --episodes 2")
    assert sorted((r.index, r.kind) for r in bench.results) == [
        (0, Kind.DOOR_CLOSED),
        (1, Kind.BAD_FRAME),
    ]
    assert all(r.success for r in bench.results), [r.reason for r in bench.results]
    assert bench.header.workers.endswith(" (Ray (local), 1 thread each)")
