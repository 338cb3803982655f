"""OpenAPI descriptions of the bounties app's own serializer fields."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent


class StatusChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """Each `status` is its own small enum (bounty, participant, submission, reward, review outcome,
    list filter). Each becomes a component under its own name, referenced from the property, instead
    of drf-spectacular's shared `StatusEnum` naming, which would collide across them and across apps."""

    target_class = "bounties.fields.StatusChoiceField"

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name=self.target.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=self.target.enum_name,
            schema={"type": "string", "enum": list(self.target.choices)},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
