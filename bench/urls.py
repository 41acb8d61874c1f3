from django.urls import path

from bench.views import floor
from config.urls import urlpatterns as api_urlpatterns

# The floor comes first: the API's catch-all 404 would otherwise answer for it.
urlpatterns = [path("bench/floor/", floor), *api_urlpatterns]
