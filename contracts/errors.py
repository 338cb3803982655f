"""Domain errors of contract queries, saved queries and dashboards: stable `contracts.*` codes."""

from blocra.errors import BadRequest, Conflict, NotFound


class ContractQueryNotFound(NotFound):
    code = "contracts.query_not_found"
    message = "No contract query with this id is visible to you."


class SavedQueryNotFound(NotFound):
    code = "contracts.saved_query_not_found"
    message = "No saved query of yours has this id."


class DashboardNotFound(NotFound):
    code = "contracts.dashboard_not_found"
    message = "No dashboard of yours has this id."


class WidgetNotFound(NotFound):
    code = "contracts.widget_not_found"
    message = "No widget of yours has this id."


class UnknownSavedQuery(BadRequest):
    """A widget named a saved query the caller does not own (or that does not exist)."""

    code = "contracts.unknown_saved_query"
    message = "query_id must be the id of one of your saved queries."

    def __init__(self) -> None:
        super().__init__(errors={"query_id": [self.message]})


class NothingToUpdate(BadRequest):
    code = "contracts.nothing_to_update"
    message = "Send at least one field to change."


class LimitReached(Conflict):
    """A per-user (or per-dashboard) ceiling on stored objects was reached."""

    code = "contracts.limit_reached"
    message = "You have reached the limit for this kind of object."


class SavedQueryLimitReached(LimitReached):
    code = "contracts.saved_query_limit_reached"


class DashboardLimitReached(LimitReached):
    code = "contracts.dashboard_limit_reached"


class WidgetLimitReached(LimitReached):
    code = "contracts.widget_limit_reached"
