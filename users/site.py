"""The front door at `/`: where a person who opens the server's address finds the docs, the
Browsable API, the admin and the health check (and, in development, the demo accounts)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from users.demo import DEMO_PASSWORD, DEMO_USERS
from users.models import User


@require_safe
def front_door(request):
    links = {
        "api_root": reverse("api-root"),
        "docs": reverse("docs"),
        "schema": reverse("schema"),
        "admin": reverse("admin:index"),
        "health": reverse("health"),
        "login": reverse("rest_framework:login") + "?next=" + reverse("api-root"),
    }
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return JsonResponse({"name": "EventHub API", **links})
    demo_accounts = []
    if settings.DEBUG:
        order = {username: index for index, (username, *_) in enumerate(DEMO_USERS)}
        demo_accounts = sorted(
            User.objects.filter(username__in=order, is_active=True).only("username", "role"),
            key=lambda account: order[account.username],
        )
    return render(
        request,
        "users/front_door.html",
        {**links, "demo_accounts": demo_accounts, "demo_password": DEMO_PASSWORD},
    )
