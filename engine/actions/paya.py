"""Paya Connect contact look-ups: paya.get_contact and paya.find_contacts over the v2 REST API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from engine.actions.config import PAYA_CREDENTIALS, Config
from engine.actions.registry import ActionSpec, CallPlan, Param
from engine.actions.transport import failed, network_errors, new_client, transport_failure

if TYPE_CHECKING:
    import httpx

SERVICE = "Paya Connect"
FILTERS = (
    "email",
    "account_number",
    "first_name",
    "last_name",
    "contact_api_id",
    "company_name",
    "cell_phone",
)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_TRUE_WORDS = frozenset({"1", "true", "yes", "y"})


class PayaAction:
    """What both Paya actions share: configuration state and one authenticated GET."""

    spec: ActionSpec

    def configured(self, config: Config) -> bool:
        return config.paya.configured

    def setup_hint(self, config: Config) -> str:
        keys = ", ".join(PAYA_CREDENTIALS)
        return f"set {', '.join(config.paya.missing())} (or {keys} under [paya] in {config.path})"

    def fetch(self, path: str, query: Mapping[str, str], config: Config, not_found: str) -> Any:
        """The decoded JSON of GET base_url + path, or ActionFailed saying what went wrong."""
        if not config.paya.configured:
            raise failed(f"{self.spec.name} is not configured: {self.setup_hint(config)}", config)
        url = config.paya.base_url + path
        try:
            with new_client(config.paya.timeout) as client:
                response = client.get(url, params=query, headers=_headers(config))
        except network_errors() as exc:
            where = config.paya.base_url
            raise failed(
                transport_failure(exc, SERVICE, where, config.paya.timeout), config
            ) from None
        return _decoded(response, config, not_found)


def _headers(config: Config) -> dict[str, str]:
    return {
        "developer-id": config.paya.developer_id,
        "user-id": config.paya.user_id,
        "user-api-key": config.paya.user_api_key,
        "Content-Type": "application/json",
        "Accept": "application/json",
    }


def _decoded(response: httpx.Response, config: Config, not_found: str) -> Any:
    status = response.status_code
    if not 200 <= status < 300:
        raise failed(_status_message(status, _error_detail(response), not_found), config)
    try:
        return response.json()
    except ValueError:
        raise failed(
            f"{SERVICE} sent an answer that is not JSON (status {status})", config
        ) from None


def _status_message(status: int, detail: str, not_found: str) -> str:
    suffix = f": {detail}" if detail else ""
    if status == 401:
        return (
            f"{SERVICE} refused the credentials (401): check developer-id, user-id and "
            "user-api-key in the operator's config"
        )
    if status == 403:
        reason = "the feature is not enabled for this user or location"
        return f"{SERVICE} refused the request (403): {reason}{suffix}"
    if status == 404:
        return f"{not_found} (404)"
    if status == 422:
        return f"{SERVICE} rejected the request (422){suffix or ': invalid input'}"
    if status >= 500:
        return f"{SERVICE} is having trouble (status {status}); try again in a few minutes"
    if 300 <= status < 400:
        return f"{SERVICE} redirected the request (status {status}); check the Paya base_url"
    return f"{SERVICE} answered with status {status}{suffix}"


def _error_detail(response: httpx.Response) -> str:
    """The `{"errors": {field: [msg]}}` body flattened as "field: msg; field2: msg"."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, Mapping):
        return ""
    errors = body.get("errors")
    if isinstance(errors, Mapping):
        return "; ".join(f"{field}: {_messages(value)}" for field, value in errors.items())
    if isinstance(errors, list):
        return "; ".join(_messages(item) for item in errors)
    message = body.get("message")
    return message if isinstance(message, str) else ""


def _messages(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def is_user(contact: Mapping[str, Any]) -> bool:
    """Whether the contact has a Customer Portal login: an expanded `user`, or an is_user flag."""
    user = contact.get("user")
    if isinstance(user, (Mapping, list)) and user:
        return True
    flag = contact.get("is_user")
    if isinstance(flag, bool):
        return flag
    if isinstance(flag, int):
        return flag == 1
    return isinstance(flag, str) and flag.strip().lower() in _TRUE_WORDS


def contact_result(contact: Any, config: Config) -> dict[str, Any]:
    """A contact's own fields (links left out) plus is_user, credentials masked."""
    if not isinstance(contact, Mapping):
        raise failed(f"{SERVICE} sent a contact that is not an object", config)
    fields = {k: v for k, v in contact.items() if not str(k).startswith("_")}
    result: dict[str, Any] = config.mask.value(fields, fields=False)
    result["is_user"] = is_user(contact)
    return result


def _text_arg(args: Mapping[str, Any], name: str) -> str:
    value = args.get(name)
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float, str)):
        return str(value).strip()
    return ""


class GetContact(PayaAction):
    """paya.get_contact: one contact by id, with whether it already has a portal login."""

    spec = ActionSpec(
        name="paya.get_contact",
        summary="Look up one Paya Connect contact by id, with whether it is a portal user",
        params=(Param("contact_id", "text", True, "the contact's Paya Connect id"),),
        side_effects=False,
        result="the contact's fields, plus is_user (true when the contact has a login)",
    )

    def _path(self, args: Mapping[str, Any], config: Config) -> tuple[str, str]:
        contact_id = _text_arg(args, "contact_id")
        if not contact_id:
            raise failed("paya.get_contact needs a contact_id, and it is empty", config)
        return contact_id, f"/v2/contacts/{quote(contact_id, safe='')}"

    def plan(self, args: Mapping[str, Any], config: Config) -> CallPlan:
        contact_id, path = self._path(args, config)
        url = f"{config.paya.base_url}{path}?expand=user"
        return CallPlan(self.spec.name, "GET", url, {"contact_id": contact_id})

    def call(self, args: Mapping[str, Any], config: Config) -> Mapping[str, Any]:
        contact_id, path = self._path(args, config)
        not_found = f"no contact has id {contact_id!r} in Paya Connect"
        body = self.fetch(path, {"expand": "user"}, config, not_found)
        if not isinstance(body, Mapping) or "contact" not in body:
            raise failed(f"{SERVICE} answered without a 'contact' in the body", config)
        return contact_result(body["contact"], config)


class FindContacts(PayaAction):
    """paya.find_contacts: contacts matching every filter given, each with is_user."""

    spec = ActionSpec(
        name="paya.find_contacts",
        summary="Search Paya Connect contacts by email, account number, name or API id",
        params=(
            *(
                Param(name, "text", False, f"only contacts whose {name} is this")
                for name in FILTERS
            ),
            Param("page_size", "number", False, f"contacts to return, 1-{MAX_PAGE_SIZE}"),
        ),
        side_effects=False,
        result="count (contacts matching) and contacts (each with is_user)",
    )

    def _query(self, args: Mapping[str, Any], config: Config) -> dict[str, str]:
        filters = {name: value for name in FILTERS if (value := _text_arg(args, name))}
        if not filters:
            raise failed(f"paya.find_contacts needs at least one of {', '.join(FILTERS)}", config)
        return {**filters, "expand": "user", "page_size": str(_page_size(args, config))}

    def plan(self, args: Mapping[str, Any], config: Config) -> CallPlan:
        query = self._query(args, config)
        url = f"{config.paya.base_url}/v2/contacts?{urlencode(query)}"
        shown = {k: v for k, v in query.items() if k in FILTERS}
        return CallPlan(self.spec.name, "GET", url, shown)

    def call(self, args: Mapping[str, Any], config: Config) -> Mapping[str, Any]:
        not_found = "Paya Connect has no contact list here; check the Paya base_url"
        body = self.fetch("/v2/contacts", self._query(args, config), config, not_found)
        contacts = body.get("contacts") if isinstance(body, Mapping) else None
        if not isinstance(contacts, list):
            raise failed(f"{SERVICE} answered without a 'contacts' list in the body", config)
        found = [contact_result(contact, config) for contact in contacts]
        return {"count": _total(body, len(found)), "contacts": found}


def _page_size(args: Mapping[str, Any], config: Config) -> int:
    raw = args.get("page_size")
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(str(raw))
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise failed(
            f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}, not {raw!r}", config
        )
    return size


def _total(body: Mapping[str, Any], on_page: int) -> int:
    """All matching contacts, from the list's pagination block when it has one."""
    for key in ("meta", "_meta"):
        meta = body.get(key)
        if isinstance(meta, Mapping):
            block = meta.get("pagination", meta)
            total = block.get("totalCount") if isinstance(block, Mapping) else None
            if isinstance(total, int) and not isinstance(total, bool) and total >= on_page:
                return total
    return on_page
