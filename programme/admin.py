from django.contrib import admin

from .dashboard import programme_dashboard_view

admin.site.register_page("programme/", programme_dashboard_view, name="programme_dashboard")
