"""Dashboards (the builder's and the app's `POST /dashboards`), widgets and visualization suggestions."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blocra.schema import NonEmptyBody
from blocra.strict_fields import StrictCharField
from contracts.models import VISUALIZATION_TYPES, Dashboard, DashboardWidget
from contracts.serializers.fields import MAX_ROW_ID, validate_bounded_json
from contracts.services.dashboards import MAX_WIDGETS_PER_DASHBOARD

MAX_TAGS = 10
MAX_TAG_LENGTH = 50

# The ranges of the check constraints on DashboardWidget (contracts_widget_size_range and
# contracts_widget_position_range); tests/contracts/test_models.py proves they agree.
WIDGET_SIZE_MIN, WIDGET_SIZE_MAX = 1, 24
WIDGET_X_MIN, WIDGET_X_MAX = 0, 1000
WIDGET_Y_MIN, WIDGET_Y_MAX = 0, 10000


class DashboardCreateSerializer(serializers.Serializer):
    """Body of `POST /dashboard-builder`."""

    name = StrictCharField(min_length=1, max_length=200, trim_whitespace=True)
    description = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "One of the app's widgets, kept as sent, e.g. `{id, type, title, data, position: {x, y, w, "
        "h}}`.",
    }
)
class AppWidgetField(serializers.DictField):
    """One of the app's widget objects: any JSON object, kept as it is."""


def tags_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=StrictCharField(min_length=1, max_length=MAX_TAG_LENGTH, trim_whitespace=True),
        max_length=MAX_TAGS,
        **kwargs,
    )


class AppDashboardCreateSerializer(serializers.Serializer):
    """Body of `POST /dashboards`, as the app's contract-events page sends it; keys it does not name are
    ignored. `title` is the dashboard's name, `widgets` its layout."""

    title = StrictCharField(source="name", min_length=1, max_length=200, trim_whitespace=True)
    description = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")
    widgets = serializers.ListField(
        source="layout",
        child=AppWidgetField(),
        max_length=MAX_WIDGETS_PER_DASHBOARD,
        required=False,
        default=list,
        validators=[validate_bounded_json],
        help_text=f"The app's widget objects, kept as the dashboard's layout: at most {MAX_WIDGETS_PER_DASHBOARD}, "
        "within the API's bound on stored JSON.",
    )
    tags = tags_field(
        required=False,
        default=list,
        help_text=f"At most {MAX_TAGS} tags of 1 to {MAX_TAG_LENGTH} characters, trimmed; a tag repeated "
        "(whatever its case) is kept once, as first given.",
    )

    def validate_tags(self, value: list[str]) -> list[str]:
        kept: dict[str, str] = {}
        for tag in value:
            kept.setdefault(tag.casefold(), tag)
        return list(kept.values())


class DashboardSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)
    layout = serializers.ListField(
        child=AppWidgetField(), read_only=True, help_text="The app's widget objects, as it sent them."
    )
    tags = tags_field(read_only=True)

    class Meta:
        model = Dashboard
        fields = ["id", "user_id", "name", "description", "layout", "tags", "created_at", "updated_at"]
        read_only_fields = fields


class WidgetSerializer(serializers.ModelSerializer):
    dashboard_id = serializers.IntegerField(read_only=True)
    query_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = DashboardWidget
        fields = [
            "id",
            "dashboard_id",
            "query_id",
            "title",
            "visualization_type",
            "position_x",
            "position_y",
            "width",
            "height",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WidgetLayoutSerializer(NonEmptyBody):
    """The editable fields of a widget; every one optional (a PUT changes only what it sends)."""

    title = StrictCharField(required=False, min_length=1, max_length=200, trim_whitespace=True)
    visualization_type = serializers.ChoiceField(choices=VISUALIZATION_TYPES, required=False)
    position_x = serializers.IntegerField(required=False, min_value=WIDGET_X_MIN, max_value=WIDGET_X_MAX)
    position_y = serializers.IntegerField(required=False, min_value=WIDGET_Y_MIN, max_value=WIDGET_Y_MAX)
    width = serializers.IntegerField(required=False, min_value=WIDGET_SIZE_MIN, max_value=WIDGET_SIZE_MAX)
    height = serializers.IntegerField(required=False, min_value=WIDGET_SIZE_MIN, max_value=WIDGET_SIZE_MAX)


class WidgetCreateSerializer(WidgetLayoutSerializer):
    """Body of `POST /dashboard-builder/{id}/widgets`; position and size default to the model's."""

    query_id = serializers.IntegerField(min_value=1, max_value=MAX_ROW_ID)
    title = StrictCharField(min_length=1, max_length=200, trim_whitespace=True)
    visualization_type = serializers.ChoiceField(choices=VISUALIZATION_TYPES)


class DashboardWidgetEntrySerializer(serializers.Serializer):
    """One entry of a dashboard's detail: the widget with the saved query it charts."""

    widget = WidgetSerializer(source="*")
    query_name = StrictCharField(source="query.name")
    query_content = serializers.JSONField(source="query.query")


class SuggestionSerializer(serializers.Serializer):
    visualization_type = serializers.ChoiceField(choices=VISUALIZATION_TYPES)
    confidence = serializers.IntegerField(
        min_value=0, max_value=100, help_text="How well the visualization fits, as a percentage (0 to 100)."
    )
    reason = StrictCharField()
