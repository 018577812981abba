"""Action plans through the API, the way the wizard builds them: details, timeline, tasks,
confirm; validation names the field; another tenant's plans answer 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coach.models import ActionPlan, ActionTask, Recommendation
from gateway.models import Role
from tests.coach.conftest import generate
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _plans(tenant) -> str:
    return f"/v1/tenants/{tenant.id}/coach/action-plans/"


def _draft(api, tenant, **details):
    body = {"title": "Get paid faster", "start_date": "2026-11-02", "due_date": "2026-11-30"}
    body.update(details)
    response = api.post(_plans(tenant), body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_plan_from_a_recommendation_is_prefilled_and_confirming_marks_it_acted(
    api, tenant, recommendation
):
    # given a new recommendation with suggested actions
    assert recommendation.status == "new"
    actions = recommendation.actions

    # when the wizard starts a plan from it
    response = api.post(_plans(tenant), {"recommendation": recommendation.pk})

    # then the draft carries its words and its actions as ordered, dated tasks
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert plan["status"] == "draft"
    assert plan["recommendation"] == recommendation.pk
    assert plan["title"] == recommendation.title
    assert plan["priority"] == recommendation.priority
    start = date.fromisoformat(plan["start_date"])
    assert [t["title"] for t in plan["tasks"]] == [a["title"] for a in actions]
    assert [t["due_date"] for t in plan["tasks"]] == [
        (start + timedelta(days=a["days_from_start"])).isoformat() for a in actions
    ]
    assert all(t["due_date"] <= plan["due_date"] for t in plan["tasks"])
    # and the recommendation is not acted on by a draft, only when the plan is confirmed
    recommendation.refresh_from_db()
    assert recommendation.status == "new"
    confirmed = api.post(f"{_plans(tenant)}{plan['id']}/confirm/")
    assert confirmed.status_code == 200, confirmed.json()
    recommendation.refresh_from_db()
    assert recommendation.status == "acted"
    assert recommendation.acted_at is not None


def test_a_draft_deleted_leaves_the_recommendation_as_it_was(api, tenant, recommendation):
    # the wizard closed without confirming: its draft is deleted
    plan = api.post(_plans(tenant), {"recommendation": recommendation.pk}).json()
    assert api.delete(f"{_plans(tenant)}{plan['id']}/").status_code == 204

    recommendation.refresh_from_db()
    assert recommendation.status == "new"
    assert not ActionPlan.objects.filter(recommendation=recommendation).exists()


def test_the_wizard_steps_build_and_confirm_a_plan(api, tenant, alice):
    # given a draft (details step)
    plan = _draft(api, tenant, description="Chase the three oldest invoices")
    url = f"{_plans(tenant)}{plan['id']}/"

    # when the timeline changes, tasks are added, reordered and one completed, then confirmed
    assert api.patch(url, {"due_date": "2026-12-15"}).status_code == 200
    first = api.post(f"{url}tasks/", {"title": "Call Acme", "due_date": "2026-11-10"}).json()
    second = api.post(f"{url}tasks/", {"title": "Send reminders"}).json()
    reordered = api.post(f"{url}tasks/reorder/", {"order": [second["id"], first["id"]]})
    done = api.patch(f"{url}tasks/{first['id']}/", {"done": True})
    confirmed = api.post(f"{url}confirm/")

    # then the plan is active with its tasks in the new order, the completion recorded
    assert reordered.status_code == 200
    assert [t["id"] for t in reordered.json()] == [second["id"], first["id"]]
    assert done.json()["done"] is True
    assert done.json()["completed_by"] == alice.pk
    assert done.json()["completed_at"]
    assert confirmed.status_code == 200, confirmed.json()
    body = confirmed.json()
    assert body["status"] == "active"
    assert body["due_date"] == "2026-12-15"
    assert [(t["title"], t["position"]) for t in body["tasks"]] == [
        ("Send reminders", 0),
        ("Call Acme", 1),
    ]


def test_a_task_can_be_removed_and_the_rest_close_up(api, tenant):
    plan = _draft(api, tenant)
    url = f"{_plans(tenant)}{plan['id']}/tasks/"
    ids = [api.post(url, {"title": f"Task {i}"}).json()["id"] for i in range(3)]

    response = api.delete(f"{url}{ids[1]}/")

    assert response.status_code == 204
    tasks = api.get(url).json()
    assert [(t["id"], t["position"]) for t in tasks] == [(ids[0], 0), (ids[2], 1)]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"title": "X", "start_date": "2026-11-10", "due_date": "2026-11-01"},
            "due_date: must not be before the start date 2026-11-10",
        ),
        ({"title": "   "}, "title: must not be empty"),
        (
            {
                "title": "X",
                "start_date": "2026-11-01",
                "due_date": "2026-11-30",
                "tasks": [{"title": "late", "due_date": "2026-12-05"}],
            },
            "tasks[0].due_date: must not be after the plan's due date 2026-11-30",
        ),
        ({"title": "X", "tasks": [{"title": ""}]}, "tasks[0].title: must not be empty"),
        ({"title": "X", "priority": "urgent"}, 'priority: "urgent" is not a valid choice.'),
    ],
)
def test_creating_an_invalid_plan_is_a_400_naming_the_field(api, tenant, body, detail):
    response = api.post(_plans(tenant), body, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert not ActionPlan.objects.exists()


def test_a_task_due_after_the_plan_is_refused_and_nothing_changes(api, tenant):
    plan = _draft(api, tenant)
    url = f"{_plans(tenant)}{plan['id']}/"

    added = api.post(f"{url}tasks/", {"title": "Too late", "due_date": "2026-12-01"})
    task = api.post(f"{url}tasks/", {"title": "On time", "due_date": "2026-11-20"}).json()
    moved = api.patch(url, {"due_date": "2026-11-15"})

    assert added.status_code == 400
    assert added.json()["detail"] == "due_date: must not be after the plan's due date 2026-11-30"
    assert moved.status_code == 400
    assert moved.json()["detail"].startswith("tasks[0].due_date: must not be after")
    assert ActionPlan.objects.get(pk=plan["id"]).due_date == date(2026, 11, 30)
    assert [t["id"] for t in api.get(f"{url}tasks/").json()] == [task["id"]]


def test_moving_the_due_date_before_the_start_is_refused(api, tenant):
    plan = _draft(api, tenant)

    response = api.patch(f"{_plans(tenant)}{plan['id']}/", {"due_date": "2026-11-01"})

    assert response.status_code == 400
    assert response.json()["detail"] == "due_date: must not be before the start date 2026-11-02"


def test_a_plan_without_tasks_cannot_be_confirmed(api, tenant):
    plan = _draft(api, tenant)

    response = api.post(f"{_plans(tenant)}{plan['id']}/confirm/")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("tasks: a plan needs at least one task")
    assert ActionPlan.objects.get(pk=plan["id"]).status == "draft"


def test_a_draft_becomes_active_only_through_confirm(api, tenant):
    plan = _draft(api, tenant)

    response = api.patch(f"{_plans(tenant)}{plan['id']}/", {"status": "active"})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("status: a draft becomes active when")


def test_reorder_must_name_every_task_once(api, tenant):
    plan = _draft(api, tenant, tasks=[{"title": "a"}, {"title": "b"}])
    ids = [t["id"] for t in plan["tasks"]]

    response = api.post(f"{_plans(tenant)}{plan['id']}/tasks/reorder/", {"order": [ids[0]]})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("order: must list each")


def test_the_owner_must_be_a_member(api, tenant, bob):
    response = api.post(_plans(tenant), {"title": "X", "owner": bob.pk})

    assert response.status_code == 400
    assert response.json()["detail"] == "owner: is not a member of this tenant"


def test_list_filters_by_status(api, tenant):
    active = _draft(api, tenant, tasks=[{"title": "a"}])
    api.post(f"{_plans(tenant)}{active['id']}/confirm/")
    _draft(api, tenant, title="Still a draft")

    drafts = api.get(_plans(tenant), {"status": "draft"}).json()["results"]
    bad = api.get(_plans(tenant), {"status": "finished"})

    assert [p["title"] for p in drafts] == ["Still a draft"]
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("status: 'finished' is not one of")


def test_list_filters_by_recommendation(api, tenant, recommendation):
    from_it = api.post(_plans(tenant), {"recommendation": recommendation.pk}).json()
    _draft(api, tenant, title="On its own")

    found = api.get(_plans(tenant), {"recommendation": recommendation.pk}).json()["results"]
    none = api.get(_plans(tenant), {"recommendation": recommendation.pk + 1000}).json()

    assert [p["id"] for p in found] == [from_it["id"]]
    assert none["count"] == 0


@pytest.mark.parametrize("value", ["²", "abc", "1.5", "0", "-3", "99999999999999999999"])
def test_a_recommendation_filter_that_is_no_id_is_a_400_naming_it(api, tenant, value):
    response = api.get(_plans(tenant), {"recommendation": value})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("recommendation: ")


def test_a_viewer_reads_plans_but_cannot_write(api, tenant, make_user, add_member):
    plan = _draft(api, tenant)
    viewer = make_user("vera")
    add_member(tenant, viewer, Role.VIEWER)
    client = client_for(viewer)

    assert client.get(f"{_plans(tenant)}{plan['id']}/").status_code == 200
    assert client.post(_plans(tenant), {"title": "mine"}).status_code == 403
    assert client.delete(f"{_plans(tenant)}{plan['id']}/").status_code == 403


def test_another_tenants_plans_and_recommendations_answer_404(api, tenant, other_tenant, bob):
    # given a plan and a recommendation of Bob's business
    bob_api = client_for(bob)
    bob_rec = generate(bob_api, other_tenant)[0]
    bob_plan = bob_api.post(_plans(other_tenant), {"recommendation": bob_rec.pk}).json()
    task_id = bob_plan["tasks"][0]["id"]
    theirs = f"{_plans(other_tenant)}{bob_plan['id']}/"
    # (and Bob's plan id through Alice's own tenant)
    via_mine = f"{_plans(tenant)}{bob_plan['id']}/"

    # then every plan endpoint answers 404 to Alice, and a plan cannot be made from his advice
    assert api.get(_plans(other_tenant)).status_code == 404
    for url in (theirs, via_mine):
        assert api.get(url).status_code == 404
        assert api.patch(url, {"title": "mine"}).status_code == 404
        assert api.post(f"{url}confirm/").status_code == 404
        assert api.get(f"{url}tasks/").status_code == 404
        assert api.post(f"{url}tasks/", {"title": "x"}).status_code == 404
        assert api.patch(f"{url}tasks/{task_id}/", {"done": True}).status_code == 404
        assert api.post(f"{url}tasks/reorder/", {"order": [task_id]}).status_code == 404
        assert api.delete(f"{url}tasks/{task_id}/").status_code == 404
        assert api.delete(url).status_code == 404
    stolen = api.post(_plans(tenant), {"recommendation": bob_rec.pk})
    assert stolen.status_code == 400
    assert stolen.json()["detail"] == "recommendation: no such recommendation"
    assert ActionPlan.objects.get(pk=bob_plan["id"]).title == bob_plan["title"]
    assert Recommendation.objects.get(pk=bob_rec.pk).status == "new"  # Alice changed nothing


# --- Assigning tasks to members ------------------------------------------------------------------


def test_a_task_is_assigned_to_a_member_and_unassigned(api, tenant, make_user, add_member):
    # given a plan with a task and a colleague in Alice's business
    carol = make_user("carol")
    add_member(tenant, carol, Role.MEMBER)
    plan = _draft(api, tenant, tasks=[{"title": "Call Acme"}])
    task_url = f"{_plans(tenant)}{plan['id']}/tasks/{plan['tasks'][0]['id']}/"

    # when the task is assigned to her, then the API and the plan show it
    assigned = api.patch(task_url, {"assignee": carol.pk}, format="json")
    assert assigned.status_code == 200, assigned.json()
    assert assigned.json()["assignee"] == carol.pk
    shown = api.get(f"{_plans(tenant)}{plan['id']}/").json()
    assert shown["tasks"][0]["assignee"] == carol.pk

    # and a new task can be created already assigned
    added = api.post(
        f"{_plans(tenant)}{plan['id']}/tasks/", {"title": "Send reminders", "assignee": carol.pk}
    )
    assert added.status_code == 201, added.json()
    assert added.json()["assignee"] == carol.pk

    # when it is unassigned (null), nobody does it
    cleared = api.patch(task_url, {"assignee": None}, format="json")
    assert cleared.status_code == 200, cleared.json()
    assert cleared.json()["assignee"] is None


def test_a_task_cannot_be_assigned_to_a_non_member(api, tenant, other_tenant, bob, make_user):
    # given an assigned task, a stranger (no business) and Bob (owner of another business)
    plan = _draft(api, tenant, tasks=[{"title": "Call Acme"}])
    task_id = plan["tasks"][0]["id"]
    task_url = f"{_plans(tenant)}{plan['id']}/tasks/{task_id}/"
    alice_id = api.get(f"{_plans(tenant)}{plan['id']}/").json()["owner"]
    assert api.patch(task_url, {"assignee": alice_id}, format="json").status_code == 200
    stranger = make_user("stranger")

    for user_id in (stranger.pk, bob.pk, 987654):
        # when assigned to someone outside Alice's business
        response = api.patch(task_url, {"assignee": user_id}, format="json")
        created = api.post(
            f"{_plans(tenant)}{plan['id']}/tasks/", {"title": "x", "assignee": user_id}
        )

        # then a 400 names the field, and nothing changed
        assert response.status_code == 400, user_id
        assert response.json()["detail"] == "assignee: is not a member of this tenant"
        assert created.status_code == 400, user_id
        assert created.json()["detail"] == "assignee: is not a member of this tenant"
    assert api.get(task_url).json()["assignee"] == alice_id
    assert len(api.get(f"{_plans(tenant)}{plan['id']}/tasks/").json()) == 1


def test_a_removed_user_leaves_the_task_unassigned(api, tenant, make_user, add_member):
    carol = make_user("carol")
    add_member(tenant, carol, Role.MEMBER)
    plan = _draft(api, tenant, tasks=[{"title": "Call Acme"}])
    task_url = f"{_plans(tenant)}{plan['id']}/tasks/{plan['tasks'][0]['id']}/"
    api.patch(task_url, {"assignee": carol.pk}, format="json")

    carol.delete()

    response = api.get(task_url)
    assert response.status_code == 200
    assert response.json()["assignee"] is None


# --- Tasks assigned when the plan is created -----------------------------------------------------


def test_a_plan_is_created_with_its_tasks_already_assigned(api, tenant, make_user, add_member):
    # given a colleague in Alice's business
    carol = make_user("carol")
    add_member(tenant, carol, Role.MEMBER)

    # when the whole plan is created at once, one task assigned to Carol, one to nobody
    plan = _draft(
        api,
        tenant,
        tasks=[
            {"title": "Call Acme", "assignee": carol.pk},
            {"title": "Send the letters", "assignee": None},
            {"title": "Chase the rest"},
        ],
    )

    # then the plan shows who does what, and so does the database
    assert [(t["title"], t["assignee"]) for t in plan["tasks"]] == [
        ("Call Acme", carol.pk),
        ("Send the letters", None),
        ("Chase the rest", None),
    ]
    assert ActionTask.objects.get(title="Call Acme").assignee_id == carol.pk


def test_the_wizards_first_step_takes_assigned_tasks_after_the_suggested_ones(
    api, tenant, recommendation, make_user, add_member
):
    carol = make_user("carol")
    add_member(tenant, carol, Role.ACCOUNTANT)  # the outside accountant can be given tasks too

    response = api.post(
        _plans(tenant),
        {
            "recommendation": recommendation.pk,
            "tasks": [{"title": "Ask the bank", "assignee": carol.pk}],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    tasks = response.json()["tasks"]
    suggested = [a["title"] for a in recommendation.actions]
    assert [t["title"] for t in tasks] == [*suggested, "Ask the bank"]
    assert [t["assignee"] for t in tasks] == [None] * len(suggested) + [carol.pk]
    assert [t["position"] for t in tasks] == list(range(len(tasks)))


def test_a_task_assigned_to_a_non_member_at_creation_is_a_400_naming_that_task(
    api, tenant, other_tenant, bob, make_user, add_member
):
    carol = make_user("carol")
    add_member(tenant, carol, Role.MEMBER)
    stranger = make_user("stranger")

    for user_id in (stranger.pk, bob.pk, 987654):
        # when the second task is given to someone outside Alice's business
        response = api.post(
            _plans(tenant),
            {
                "title": "Get paid faster",
                "tasks": [
                    {"title": "Call Acme", "assignee": carol.pk},
                    {"title": "Send the letters", "assignee": user_id},
                ],
            },
            format="json",
        )

        # then a 400 names that task's field, and nothing is written
        assert response.status_code == 400, user_id
        assert response.json()["detail"] == "tasks[1].assignee: is not a member of this tenant"
        assert response.json()["errors"] == {
            "tasks[1].assignee": ["is not a member of this tenant"]
        }
    assert not ActionPlan.objects.exists()
    assert not ActionTask.objects.exists()


def test_with_a_recommendation_the_error_names_the_task_as_the_request_spelled_it(
    api, tenant, recommendation, bob
):
    response = api.post(
        _plans(tenant),
        {
            "recommendation": recommendation.pk,
            "tasks": [{"title": "Ask the bank", "assignee": bob.pk}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "tasks[0].assignee: is not a member of this tenant"
    assert not ActionPlan.objects.exists()


@pytest.mark.parametrize(
    ("assignee", "detail"),
    [
        ("carol", "tasks[1].assignee: A valid integer is required."),
        ([3], "tasks[1].assignee: A valid integer is required."),
        (1.5, "tasks[1].assignee: A valid integer is required."),
    ],
)
def test_an_assignee_that_is_no_id_is_a_400_naming_the_task(api, tenant, assignee, detail):
    response = api.post(
        _plans(tenant),
        {"title": "X", "tasks": [{"title": "a"}, {"title": "b", "assignee": assignee}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert not ActionPlan.objects.exists()


def test_a_suggested_task_after_the_given_due_date_names_the_due_date(api, tenant, recommendation):
    # the recommendation's last task falls after a due date the caller chose too early
    last = max(int(a.get("days_from_start") or 0) for a in recommendation.actions)
    assert last > 1
    start = date(2026, 11, 2)

    response = api.post(
        _plans(tenant),
        {
            "recommendation": recommendation.pk,
            "start_date": start.isoformat(),
            "due_date": (start + timedelta(days=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    detail = response.json()["detail"]
    due = (start + timedelta(days=last)).isoformat()
    assert detail.startswith(f"due_date: must not be before {due}, when the recommendation's task")
    assert not ActionPlan.objects.exists()


def test_who_may_create_a_plan_with_assigned_tasks(
    api, tenant, other_tenant, make_user, add_member
):
    carol = make_user("carol")
    add_member(tenant, carol, Role.MEMBER)
    viewer = make_user("vera")
    add_member(tenant, viewer, Role.VIEWER)
    body = {"title": "X", "tasks": [{"title": "a", "assignee": carol.pk}]}

    # a viewer reads but does not plan; a member does; another business's URL is not Alice's
    assert client_for(viewer).post(_plans(tenant), body, format="json").status_code == 403
    assert client_for(carol).post(_plans(tenant), body, format="json").status_code == 201
    assert api.post(_plans(other_tenant), body, format="json").status_code == 404
    assert ActionTask.objects.get().assignee_id == carol.pk


def test_the_schema_documents_a_tasks_assignee_on_creation():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    create = schema["paths"]["/v1/tenants/{tenant_id}/coach/action-plans/"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    components = schema["components"]["schemas"]
    tasks = components[ref.rsplit("/", 1)[1]]["properties"]["tasks"]
    task = components[tasks["items"]["$ref"].rsplit("/", 1)[1]]
    assert task["properties"]["assignee"]["type"] == "integer"
    assert task["properties"]["assignee"]["nullable"] is True
    assert "assignee" not in task.get("required", [])
