"""The agent loop on the fake kitchen: plan, critique, act, verify, replan, approve, resume."""

from __future__ import annotations

import time

import pytest

from agent import runner
from agent.bench.wrappers import TickEvents
from agent.checkpoint import ChannelSqliteSaver
from agent.errors import RunNotFoundError
from agent.runner import Overrides, resume_run
from agent.testing import Crash, CrashAt, ScriptedOperator, logged
from embodiments.base import Embodiment, EmbodimentWrapper, Observation, SceneEvent
from embodiments.testing import make_fake
from planner.backends.scripted import ScriptedPlanner, load_script
from safety.steplog.records import SkillEndRecord
from safety.steplog.verify import verify_run
from safety.steplog.writer import StepLog

GOAL = "open the microwave and turn on the light"


def kinds(report):
    """The record kinds of the run's step log, in order."""
    return [body.kind for body in logged(report)]


def resume_fresh(run_id, config, planner_script):
    """Resume `run_id` in a new fake world (as a restarted process would); (report, world)."""
    fresh = make_fake(image_size_px=128, randomize=False)
    planner = ScriptedPlanner(load_script(planner_script))
    report = resume_run(run_id, home=config, overrides=Overrides(embodiment=fresh, planner=planner))
    return report, fresh


def intact(report):
    """Whether `steward audit verify` would pass the run's log."""
    return verify_run(report.log_root, report.run_id).passed()


def test_a_multi_step_goal_runs_every_step_verified_and_logged(fake_run, fake_skills):
    report = fake_run(GOAL)
    assert report.outcome.status == "done", report.outcome.reason
    assert fake_skills.runs == ["open(target=microwave)", "turn_on(target=light)"]
    assert [s.verified for s in report.steps] == [True, True]
    assert {"open(microwave)", "turned_on(light)"} <= {str(a) for a in report.scene_truth.atoms}
    assert kinds(report) == [
        "goal",
        "plan",
        *["verdict", "skill_start", "skill_end", "verification"] * 2,
        "outcome",
    ]
    assert intact(report)
    assert report.exit_code == 0
    assert {"planning", "critic", "skill", "verification", "logging"} <= set(report.timings)


def test_a_step_of_the_plan_is_one_checkpoint_and_progress_sees_every_node(
    fake_config, planner_script, fake_skills, monkeypatch
):
    put = ChannelSqliteSaver.put
    saved: list[int] = []

    def counted(self, config, checkpoint, *args, **kwargs):
        saved.append(checkpoint["id"])
        return put(self, config, checkpoint, *args, **kwargs)

    monkeypatch.setattr(ChannelSqliteSaver, "put", counted)
    seen: list[str] = []
    report = runner.run_goal(
        GOAL,
        fake_config,
        progress=lambda node, update: seen.append(node),
        overrides=Overrides(
            embodiment=make_fake(image_size_px=128, randomize=False),
            planner=ScriptedPlanner(load_script(planner_script)),
        ),
    )
    assert report.outcome.status == "done", report.outcome.reason
    assert seen == [
        *("perceive", "plan", "critique"),
        *("act", "verify", "perceive", "critique"),
        *("act", "verify", "perceive", "finish"),
    ]
    # LangGraph's two at the start (the input, then applied), then after: perceive, plan
    # and critique | each step (act, verify, perceive, then critique or finish)
    assert len(saved) == 2 + 1 + len(report.steps)


def test_a_refused_goal_moves_nothing_and_says_why(fake_run, fake_skills):
    report = fake_run("make toast")
    assert (report.outcome.status, report.exit_code) == ("refused", 3)
    assert "no toaster" in report.outcome.reason
    assert fake_skills.runs == []
    assert kinds(report) == ["goal", "outcome"]


def test_an_ask_human_verdict_waits_for_approval_then_acts(fake_run, fake_skills):
    operator = ScriptedOperator(approvals=[True])
    report = fake_run("turn on the top left burner", operator=operator)
    assert report.outcome.status == "done", report.outcome.reason
    assert "nobody attending it" in operator.asked[0]
    assert fake_skills.runs == ["turn_on(target=top_left_burner)"]
    approvals = [b for b in logged(report) if b.kind == "approval"]
    assert [(a.approved, a.approver) for a in approvals] == [(True, "tester")]
    assert kinds(report).index("approval") < kinds(report).index("skill_start")


class SlowToAnswer(ScriptedOperator):
    """An operator who takes `seconds` to answer each approval."""

    def __init__(self, seconds: float) -> None:
        super().__init__(approvals=[True])
        self.seconds = seconds

    def approve(self, step, reasons):
        time.sleep(self.seconds)
        return super().approve(step, reasons)


def test_the_time_a_person_takes_to_answer_counts_as_waiting_not_overhead(fake_run):
    """The person answers inside `approve`, whose time is waiting for a person."""
    report = fake_run("turn on the top left burner", operator=SlowToAnswer(0.3))
    assert report.outcome.status == "done", report.outcome.reason
    assert report.timings["waiting_for_person"] >= 0.3
    timed = sum(v for k, v in report.timings.items() if k != "logging")
    assert report.wall_s - timed < 0.3  # what is left (the overhead) is not the wait


def test_a_runs_wall_time_holds_closing_its_log_and_not_building_its_models(fake_run, monkeypatch):
    """Closing the step log (durable) is logging inside the wall; building models is setup."""
    close, build = StepLog.close, runner.build_critic

    def slow_close(self):
        time.sleep(0.2)
        close(self)

    def slow_build(config):
        time.sleep(0.3)
        return build(config)

    monkeypatch.setattr(StepLog, "close", slow_close)
    monkeypatch.setattr(runner, "build_critic", slow_build)
    began = time.perf_counter()
    report = fake_run(GOAL)
    elapsed = time.perf_counter() - began
    assert report.outcome.status == "done", report.outcome.reason
    assert report.setup_s >= 0.3
    assert report.timings["logging"] >= 0.2
    assert 0.2 <= report.wall_s <= elapsed - 0.3


def test_a_declined_approval_refuses_without_moving(fake_run, fake_skills):
    report = fake_run("turn on the top left burner", operator=ScriptedOperator(approvals=[False]))
    assert report.outcome.status == "refused"
    assert "tester declined turn_on(target=top_left_burner)" in report.outcome.reason
    assert fake_skills.runs == []


class DiesWhileAsking(ScriptedOperator):
    """The process dies while the person is still deciding."""

    def approve(self, step, reasons):
        super().approve(step, reasons)
        raise Crash("killed while asking")


def test_a_run_killed_while_asking_asks_again_on_resume_and_acts_once(
    fake_run, fake_skills, fake_config, planner_script
):
    goal = "turn on the top left burner"
    dying = DiesWhileAsking(approvals=[True])
    with pytest.raises(Crash):
        fake_run(goal, run_id="asking-1", operator=dying)
    assert len(dying.asked) == 1
    assert fake_skills.runs == []
    fresh = make_fake(image_size_px=128, randomize=False)
    again = ScriptedOperator(approvals=[True])
    report = resume_run(
        "asking-1",
        home=fake_config,
        operator=again,
        overrides=Overrides(embodiment=fresh, planner=ScriptedPlanner(load_script(planner_script))),
    )
    assert report.outcome.status == "done", report.outcome.reason
    assert "nobody attending it" in again.asked[0]
    assert fake_skills.runs == ["turn_on(target=top_left_burner)"]
    approvals = [b for b in logged(report) if b.kind == "approval"]
    assert [a.approver for a in approvals] == ["tester"]  # only the answer given
    assert intact(report)


def test_with_no_one_to_ask_an_approval_is_declined(fake_run, fake_skills):
    report = fake_run("turn on the top left burner")
    assert report.outcome.status == "refused"
    assert "nobody declined" in report.outcome.reason
    assert fake_skills.runs == []


def test_a_question_from_the_planner_is_answered_and_planned_again(fake_run, fake_skills):
    operator = ScriptedOperator(answers=["the microwave"])
    report = fake_run("open it", operator=operator)
    assert operator.asked == ["Which door should I open?"]
    assert report.outcome.status == "done", report.outcome.reason
    assert fake_skills.runs == ["open(target=microwave)"]


def test_a_door_closed_behind_the_robot_forces_a_replan(fake_run, fake_skills):
    report = fake_run(GOAL, events={2: SceneEvent("close", "microwave")})
    assert report.outcome.status == "done", report.outcome.reason
    assert fake_skills.runs == [
        "open(target=microwave)",
        "turn_on(target=light)",
        "open(target=microwave)",
    ]
    replans = [b for b in logged(report) if b.kind == "replan"]
    assert [r.trigger for r in replans] == ["scene_changed"]
    assert "open(microwave) no longer holds" in replans[0].reason
    assert (report.plans, report.replans) == (2, 1)


def test_a_failing_skill_is_replanned_then_given_up_with_the_reason(fake_run, fake_skills):
    fake_skills.failing.add("open")
    report = fake_run(GOAL)
    assert report.outcome.status == "failed"
    assert "3 failed steps in a row" in report.outcome.reason
    assert "open(target=microwave) failed (scripted failure)" in report.outcome.reason
    assert fake_skills.runs.count("open(target=microwave)") == 3  # max_step_failures + 1
    assert report.exit_code == 1


def test_a_skill_that_claims_success_falsely_is_caught_by_verification(fake_run, fake_skills):
    fake_skills.lying.add("turn_on")
    report = fake_run(GOAL)
    assert report.outcome.status == "failed"
    assert "not as expected: turned_on(light)" in report.outcome.reason
    assert [s.verified for s in report.steps][:2] == [True, False]


def test_a_skill_that_reports_failure_wrongly_is_cleared_by_verification(fake_run, fake_skills):
    fake_skills.false_alarm.add("open")
    report = fake_run(GOAL)
    assert report.outcome.status == "done", report.outcome.reason
    assert report.replans == 0
    assert "the skill reported 'false alarm', but the cameras show" in report.steps[0].message


def test_persistently_bad_frames_fail_the_run_naming_the_camera(fake_run, fake_skills):
    class BlackCamera:
        def __init__(self, robot):
            self.robot = robot

        def on_step_start(self, step_no, step):
            del step_no, step
            self.robot.config = type(self.robot.config)(image_size_px=64, randomize=False)

    robot = make_fake(image_size_px=128, randomize=False)
    report = fake_run(GOAL, robot=robot, listeners=(BlackCamera(robot),))
    assert report.outcome.status == "failed"
    assert "wrong_shape" in report.outcome.reason
    assert "check the cameras" in report.outcome.reason


def test_a_crashed_run_resumes_without_repeating_finished_steps(
    fake_run, fake_skills, fake_config, planner_script
):
    robot = make_fake(image_size_px=128, randomize=False)
    with pytest.raises(Crash):
        fake_run(GOAL, robot=robot, run_id="crash-1", listeners=(CrashAt(2),))
    assert fake_skills.runs == ["open(target=microwave)"]
    snapshot = robot.snapshot()
    report, fresh = resume_fresh("crash-1", fake_config, planner_script)
    assert report.outcome.status == "done", report.outcome.reason
    assert fake_skills.runs == ["open(target=microwave)", "turn_on(target=light)"]
    assert "open(microwave)" in {str(a) for a in fresh.scene_truth().atoms}
    assert snapshot  # the crashed process's world was saved with its checkpoint
    assert intact(report)


def test_a_skill_the_log_shows_finished_is_not_run_again_on_resume(
    fake_run, fake_skills, fake_config, planner_script
):
    with pytest.raises(Crash):
        fake_run(GOAL, run_id="crash-2", listeners=(CrashAt(2),))
    # As if the process died after step 2's skill ended but before the checkpoint did.
    with StepLog.open(fake_config.runs_dir, "crash-2") as steplog:
        steplog.append(SkillEndRecord(step=2, skill="turn_on", status="succeeded", duration_s=1.0))
    report, _ = resume_fresh("crash-2", fake_config, planner_script)
    second = next(s for s in report.steps if s.step_no == 2)
    assert (second.skill_status, second.verified) == ("succeeded", False)
    # the fresh world never saw that motion: verify says so, and the agent replans
    assert second.message == "not as expected: turned_on(light)"
    # so the agent replanned and ran it as a new step, never repeating a logged one
    assert fake_skills.runs == ["open(target=microwave)", "turn_on(target=light)"]
    assert report.outcome.status == "done", report.outcome.reason
    assert intact(report)


def test_resuming_an_unknown_run_names_it(fake_config):
    with pytest.raises(RunNotFoundError, match="no run 'nope'"):
        resume_run("nope", home=fake_config)


def test_open_loop_runs_the_first_plan_blind(fake_run, fake_skills, fake_config):
    fake_skills.lying.add("turn_on")
    blind = fake_config.model_copy(update={"closed_loop": False})
    report = fake_run(GOAL, config=blind, events={2: SceneEvent("close", "microwave")})
    assert report.outcome.status == "done"  # it cannot tell that nothing worked
    assert report.outcome.reason == "2 step(s) ran open loop, none verified"
    assert (report.plans, report.replans) == (1, 0)
    assert [s.message for s in report.steps] == ["open loop: not verified"] * 2
    assert "turned_on(light)" not in {str(a) for a in report.scene_truth.atoms}


def test_a_skill_that_cannot_start_is_replanned_without_a_skill_end(fake_run, fake_config):
    config = fake_config.model_copy(update={"skill_backends": {"turn_on": "scripted"}})
    report = fake_run(GOAL, config=config)
    assert report.outcome.status == "failed"
    kinds_logged = kinds(report)
    assert kinds_logged.count("skill_start") == kinds_logged.count("skill_end") == 1
    replans = [b for b in logged(report) if b.kind == "replan"]
    assert replans
    assert "the 'scripted' backend of 'turn_on' cannot drive 'fake'" in replans[0].reason
    assert intact(report)


def test_without_a_critic_an_ask_human_step_runs_unasked(fake_run, fake_skills, fake_config):
    report = fake_run(
        "turn on the top left burner", config=fake_config.model_copy(update={"critic": "none"})
    )
    assert report.outcome.status == "done"
    assert fake_skills.runs == ["turn_on(target=top_left_burner)"]
    assert "approval" not in kinds(report)


def test_a_person_appearing_mid_plan_has_the_rest_of_the_plan_checked_again(fake_run, fake_skills):
    report = fake_run(GOAL, events={1: SceneEvent("place_person", value=1.5)})
    assert report.outcome.status == "done", report.outcome.reason
    replans = [b for b in logged(report) if b.kind == "replan"]
    assert [r.trigger for r in replans] == ["scene_changed"]
    assert "a person appeared" in replans[0].reason
    assert fake_skills.runs == ["open(target=microwave)", "turn_on(target=light)"]


def test_a_person_within_reach_stops_the_plan_until_someone_approves(fake_run, fake_skills):
    report = fake_run(GOAL, events={1: SceneEvent("place_person", value=0.5)})
    assert report.outcome.status == "refused"
    assert "inside the robot's protective distance" in report.outcome.reason
    assert fake_skills.runs == ["open(target=microwave)"]


def test_an_empty_gripper_vetoes_a_kettle_the_cameras_think_is_held(fake_run, fake_skills):
    report = fake_run("pick up the kettle")
    assert report.outcome.status == "done", report.outcome.reason
    fake_skills.runs.clear()
    fake_skills.empty_grip.add("pick")
    report = fake_run("pick up the kettle")
    assert report.outcome.status == "failed"
    assert "the gripper closed on nothing" in report.outcome.reason
    assert not report.steps[0].verified


class PersonVisits:
    """A listener: a person stands by the robot when step `step_no` starts, leaves later."""

    def __init__(self, robot, step_no, stay_ticks):
        self.robot, self.step_no, self.stay_ticks = robot, step_no, stay_ticks

    def on_step_start(self, step_no, step):
        del step
        if step_no == self.step_no:
            self.robot.unwrapped.inject(SceneEvent("place_person", value=0.5))
            self.robot.schedule(SceneEvent("remove_person"), after_ticks=self.stay_ticks)


def test_declined_because_a_person_is_near_the_robot_waits_for_them_to_leave(fake_run, fake_skills):
    robot = TickEvents(make_fake(randomize=False))
    operator = ScriptedOperator(approvals=[False, False, False])
    report = fake_run(GOAL, robot=robot, operator=operator, listeners=(PersonVisits(robot, 1, 40),))
    assert report.outcome.status == "done", report.outcome.reason
    assert fake_skills.runs == ["open(target=microwave)", "turn_on(target=light)"]
    assert "inside the robot's protective distance" in operator.asked[0]
    assert report.timings["waiting_for_person"] > 0


def test_a_person_who_stays_ends_the_wait_refused_with_the_reason(
    fake_run, fake_skills, fake_config
):
    robot = TickEvents(make_fake(randomize=False))
    config = fake_config.model_copy(update={"wait_for_person_s": 2.0})
    report = fake_run(
        GOAL,
        robot=robot,
        config=config,
        operator=ScriptedOperator(approvals=[False] * 5),
        listeners=(PersonVisits(robot, 1, 10_000),),
    )
    assert report.outcome.status == "refused"
    assert "waited 2 s for them to step away" in report.outcome.reason
    assert fake_skills.runs == ["open(target=microwave)"]


def test_a_person_at_the_stove_far_from_the_hand_holds_back_the_burner(fake_run, fake_skills):
    """The critic measures from where the step acts (the burner on the map), not the hand."""
    goal = "open the microwave, then turn on the top left burner"
    robot = TickEvents(make_fake(randomize=False, fixture_xy=(("top_left_burner", 0.0, 3.0),)))
    operator = ScriptedOperator(approvals=[False, True, True])
    report = fake_run(goal, robot=robot, operator=operator, listeners=(PersonAt(robot, 3.2),))
    assert report.outcome.status == "done", report.outcome.reason
    assert "top left burner would be switched on 0.20 m from a person" in operator.asked[0]
    assert report.timings["waiting_for_person"] > 0
    assert fake_skills.runs == ["open(target=microwave)", "turn_on(target=top_left_burner)"]


class PersonAt:
    """A listener: a person stands `y` metres out when step 1 starts, leaves 40 ticks later."""

    def __init__(self, robot, y):
        self.robot, self.y = robot, y

    def on_step_start(self, step_no, step):
        del step
        if step_no == 1:
            self.robot.unwrapped.inject(SceneEvent("place_person", value=self.y))
            self.robot.schedule(SceneEvent("remove_person"), after_ticks=40)


def test_a_skill_that_fails_with_a_person_close_is_retried_once_they_leave(fake_run, fake_skills):
    class FailsWhilePersonNear:
        """`open` fails while someone stands by (the shield slowed it to a stop)."""

        def __init__(self, robot):
            self.robot = robot

        def on_step_start(self, step_no, step):
            del step
            if self.robot.unwrapped.person_distance_m() is not None:
                fake_skills.failing.add("open")
            else:
                fake_skills.failing.discard("open")
            if step_no == 1:
                self.robot.unwrapped.inject(SceneEvent("place_person", value=2.0))
                fake_skills.failing.add("open")
                self.robot.schedule(SceneEvent("remove_person"), after_ticks=20)

    robot = TickEvents(make_fake(randomize=False))
    report = fake_run(GOAL, robot=robot, listeners=(FailsWhilePersonNear(robot),))
    assert report.outcome.status == "done", report.outcome.reason
    assert fake_skills.runs.count("open(target=microwave)") == 2
    assert report.replans == 0
    assert report.timings["waiting_for_person"] > 0


def test_a_run_killed_after_a_node_but_before_its_checkpoint_resumes(
    fake_run, fake_skills, fake_config, planner_script, monkeypatch
):
    """The saves stop after the 3rd checkpoint, as if a kill beat the next save: the
    resumed run goes on from the last saved super-step and runs the ones after it again."""
    put = ChannelSqliteSaver.put
    saved = {"checkpoints": 0}

    def dying_put(self, config, *args, **kwargs):
        if saved["checkpoints"] >= 3:
            return config  # the process is "dead": nothing it does is saved any more
        saved["checkpoints"] += 1
        return put(self, config, *args, **kwargs)

    monkeypatch.setattr(ChannelSqliteSaver, "put", dying_put)
    fake_run(GOAL, run_id="killed-3")
    monkeypatch.undo()
    report, _ = resume_fresh("killed-3", fake_config, planner_script)
    assert report.outcome.status == "done", report.outcome.reason
    assert intact(report)
    logged_kinds = kinds(report)
    resumed_at = logged_kinds.index("outcome") + 1  # the "dead" process still ended its run
    # The three saved checkpoints (LangGraph's two at the start, then perceive, plan and
    # critique) end before step 1's act: the resumed run finds step 1's skill ended in
    # the step log, does not run it again, and verifies it (in a fresh world, which never
    # saw it move) rather than starting over.
    assert logged_kinds[resumed_at] == "verification"  # act logged no skill_start first
    assert logged_kinds.count("goal") == 1


class CountsObservations(EmbodimentWrapper):
    """An embodiment that counts the camera observations the agent asks for."""

    def __init__(self, inner: Embodiment) -> None:
        super().__init__(inner)
        self.observed = 0

    def observe(self) -> Observation:
        self.observed += 1
        return super().observe()


def test_the_perceive_after_a_verified_step_uses_the_frames_verify_took(fake_run):
    """Nothing moves between verify and the next perceive: one observation per step, not two."""
    robot = CountsObservations(make_fake(image_size_px=128, randomize=False))
    report = fake_run(GOAL, robot=robot)
    assert report.outcome.status == "done", report.outcome.reason
    assert len(report.steps) == 2
    assert robot.observed == 1 + len(report.steps)  # the first perceive, then each verify


def test_after_waiting_for_a_person_the_agent_looks_again(fake_run, fake_skills):
    """Time passes while the robot waits, so the perceive after it renders new frames."""
    ticks = TickEvents(make_fake(randomize=False))
    robot = CountsObservations(ticks)

    class FailsUntilThePersonLeaves:
        def on_step_start(self, step_no, step):
            del step
            if step_no == 1:
                ticks.unwrapped.inject(SceneEvent("place_person", value=2.0))
                fake_skills.failing.add("open")
                ticks.schedule(SceneEvent("remove_person"), after_ticks=20)
            else:
                fake_skills.failing.discard("open")

    report = fake_run(GOAL, robot=robot, listeners=(FailsUntilThePersonLeaves(),))
    assert report.outcome.status == "done", report.outcome.reason
    assert report.timings["waiting_for_person"] > 0
    assert len(report.steps) == 3  # open failed with the person there, open again, turn_on
    assert robot.observed == 1 + len(report.steps) + 1  # + the look after the wait
