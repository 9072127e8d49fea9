"""Where AWS calls go: the embedded emulator, an AWS-compatible endpoint, or real AWS.

Choosing follows boto3's own conventions so that nothing here is lab-specific magic:

* ``LABS_BACKEND`` (or ``start_lab(backend=...)``) may name ``embedded``, ``endpoint`` or ``aws``.
* Without it: if boto3's own ``AWS_ENDPOINT_URL`` or a service-specific ``AWS_ENDPOINT_URL_<SERVICE>``
  is set, calls go to that endpoint (moto server, LocalStack); otherwise to the embedded emulator
  (moto, in-process: no account, no credentials, no network).
* Real AWS needs two deliberate acts: ``LABS_BACKEND=aws`` in the environment *and* the account id
  confirmed in the notebook (``start_lab(..., aws_account="123456789012")``), checked against STS.

A process-wide guard on botocore's HTTP transport refuses any request addressed to an AWS host until real AWS has been confirmed, so a missing mock, a
mistyped endpoint variable or real credentials in the environment can never cost money by accident.
"""

from __future__ import annotations

import enum
import functools
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.httpsession import URLLib3Session
from botocore.session import get_session

from .errors import LabError, RealAwsBlockedError, did_you_mean

BACKEND_ENV = "LABS_BACKEND"
DEFAULT_REGION = "us-east-1"
#: Credentials the embedded emulator is addressed with; never real, never read from the environment.
EMULATOR_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
#: moto's default account; the emulator's "SecureCart" account.
EMULATOR_ACCOUNT = "123456789012"
#: The other accounts a lab may name (``lab.client("events", account="security")``) and their ids in the
#: emulator. On real AWS each comes from its own profile: ``LABS_AWS_PROFILE_<NAME>`` (e.g.
#: ``LABS_AWS_PROFILE_SECURITY=securecart-security``), never from the lab's own credentials.
EMULATOR_ACCOUNTS = {"securecart": EMULATOR_ACCOUNT, "security": "222222222222"}
#: The role assumed in another emulator account: the role AWS Organizations creates in member accounts.
CROSS_ACCOUNT_ROLE = "OrganizationAccountAccessRole"
PROFILE_ENV = "LABS_AWS_PROFILE_{}"

_AWS_HOST = re.compile(r"^https?://([^/]+\.)?(amazonaws\.com|amazonaws\.com\.cn|api\.aws)(:\d+)?(/|$)")


class BackendKind(str, enum.Enum):
    """The three places a lab can run against."""

    EMBEDDED = "embedded"
    ENDPOINT = "endpoint"
    AWS = "aws"


# --------------------------------------------------------------------------- real-AWS guard
_guard_state = threading.local()
_confirmed_accounts: set[str] = set()


def real_aws_allowed() -> bool:
    """True once real AWS has been confirmed in this process (or while it is being confirmed)."""
    return bool(_confirmed_accounts) or getattr(_guard_state, "confirming", False)


def _refuse_real_aws(request: Any) -> None:
    """Raise unless ``request`` may leave for an AWS host (opted in) or goes elsewhere."""
    if _AWS_HOST.match(request.url) and not real_aws_allowed():
        host = request.url.split("/")[2]
        raise RealAwsBlockedError(
            f"A request to real AWS ({host}) was stopped: real AWS has not been opted in to.",
            "Nothing left this machine. To use the embedded emulator, unset AWS_ENDPOINT_URL and "
            "LABS_BACKEND. To use real AWS on purpose, set LABS_BACKEND=aws and call "
            "start_lab(..., aws_account='<your 12-digit account id>') (see README, 'Real AWS').",
        )


def install_real_aws_guard() -> None:
    """Wrap botocore's HTTP transport so that no request reaches an AWS host without the opt-in.

    Why the transport and not a ``before-send`` event: botocore calls *every* ``before-send``
    handler, including after moto's stubber has already answered, so an event handler cannot tell
    a mocked request from a real one. ``URLLib3Session.send`` is only reached by requests that
    really go onto the network, for every botocore client in the process (the student's own
    ``boto3.client(...)`` too). Idempotent.
    """
    if getattr(URLLib3Session.send, "_labs_guard", False):
        return
    original = URLLib3Session.send

    def guarded_send(self: URLLib3Session, request: Any) -> Any:
        _refuse_real_aws(request)
        return original(self, request)

    guarded_send._labs_guard = True  # type: ignore[attr-defined]
    URLLib3Session.send = guarded_send  # type: ignore[method-assign]


install_real_aws_guard()


# --------------------------------------------------------------------------- embedded emulator
_embedded_lock = threading.Lock()
_embedded_mock: Any = None

#: moto settings the labs depend on: Step Functions really execute; Lambda never needs Docker
#: (our emulator layer runs Python handlers in-process instead).
MOTO_CONFIG: dict[str, Any] = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
    "core": {"mock_credentials": True, "reset_boto3_session": True},
}


def start_embedded_emulator() -> None:
    """Start moto in this process once, with the emulator fidelity layer (idempotent)."""
    global _embedded_mock
    with _embedded_lock:
        if _embedded_mock is not None:
            return
        from moto import mock_aws

        mock = mock_aws(config=MOTO_CONFIG)  # type: ignore[arg-type]
        mock.start()
        _embedded_mock = mock
    from . import emulator  # imported here: it imports moto, which only the embedded backend needs

    emulator.install()


def reset_embedded_emulator() -> None:
    """Forget every emulated resource (used by tests between cases)."""
    if _embedded_mock is not None:
        from . import emulator

        emulator.reset()  # stop what the layer runs outside moto (pollers) before moto forgets
        _embedded_mock.reset()


# --------------------------------------------------------------------------- choosing
def configured_endpoint_variables() -> dict[str, str]:
    """boto3's endpoint variables present in the environment (global and per service)."""
    return {k: v for k, v in os.environ.items() if k.startswith("AWS_ENDPOINT_URL") and v}


@functools.cache
def known_regions() -> tuple[str, ...]:
    """Regions botocore knows in every partition (no network involved; read once per process,
    since botocore's endpoint data does not change while it runs)."""
    session = get_session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("sqs", partition_name=partition))
    return tuple(sorted(regions))


def validate_region(region: str) -> str:
    if region not in known_regions():
        raise LabError(
            f"Region '{region}' does not exist.{did_you_mean(region, known_regions())}",
            "Pass an AWS region such as 'us-east-1' or 'eu-west-1' (start_lab(..., region=...) or "
            "the AWS_REGION environment variable).",
        )
    return region


def _default_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def _parse_kind(choice: str | BackendKind | None) -> BackendKind:
    raw = choice if choice is not None else os.environ.get(BACKEND_ENV, "")
    if isinstance(raw, BackendKind):
        return raw
    raw = raw.strip().lower()
    if not raw:
        return BackendKind.ENDPOINT if configured_endpoint_variables() else BackendKind.EMBEDDED
    aliases = {"moto": "embedded", "emulator": "embedded", "local": "embedded", "real": "aws"}
    raw = aliases.get(raw, raw)
    try:
        return BackendKind(raw)
    except ValueError:
        names = [k.value for k in BackendKind]
        raise LabError(
            f"Unknown backend '{raw}'.{did_you_mean(raw, names)}",
            f"Use one of {', '.join(names)} (argument backend= or {BACKEND_ENV}).",
        ) from None


@dataclass
class Backend:
    """A configured place to send AWS calls, and the factory for its boto3 clients."""

    kind: BackendKind
    region: str
    session: boto3.Session
    endpoint_url: str | None = None
    account_id: str = EMULATOR_ACCOUNT
    _config: Config = field(default_factory=Config)

    def client(self, service: str, **kwargs: Any) -> BaseClient:
        """A plain boto3 client for ``service`` on this backend (the student's real API)."""
        if self.endpoint_url and "endpoint_url" not in kwargs and self.kind is BackendKind.ENDPOINT:
            kwargs["endpoint_url"] = self.endpoint_url
        config = self._config.merge(kwargs.pop("config")) if "config" in kwargs else self._config
        return self.session.client(service, region_name=self.region, config=config, **kwargs)

    def for_account(self, account: str) -> Backend:
        """This backend as another account (a name in :data:`EMULATOR_ACCOUNTS` or a 12-digit id).

        Emulator and endpoint: the credentials of ``sts.assume_role`` into that account's
        :data:`CROSS_ACCOUNT_ROLE`, as an organization's management account reaches a member account;
        moto (and LocalStack) answer requests signed with them as that account. Real AWS: the profile
        named by ``LABS_AWS_PROFILE_<NAME>``, whose account is checked with STS like the lab's own.
        """
        name = account.strip().lower()
        if self.kind is BackendKind.AWS:
            variable = PROFILE_ENV.format(re.sub(r"\W", "_", name).upper())
            profile = os.environ.get(variable)
            if not profile:
                raise LabError(f"No AWS profile is configured for the '{account}' account.",
                               f"Set {variable}=<profile of that account> (a second, explicit profile); the lab's "
                               "own credentials are never used for another account.")
            session = boto3.Session(profile_name=profile, region_name=self.region)
            actual = session.client("sts", region_name=self.region, config=self._config).get_caller_identity()["Account"]
            _confirmed_accounts.add(actual)
            return Backend(self.kind, self.region, session, account_id=actual, _config=self._config)
        account_id = EMULATOR_ACCOUNTS.get(name, account)
        if not re.fullmatch(r"\d{12}", account_id):
            raise LabError(f"Unknown account '{account}'.{did_you_mean(name, list(EMULATOR_ACCOUNTS))}",
                           f"Name one of {', '.join(EMULATOR_ACCOUNTS)} or give a 12-digit account id.")
        if account_id == self.account_id:
            return self
        credentials = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{CROSS_ACCOUNT_ROLE}", RoleSessionName="securecart-lab")["Credentials"]
        session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                                aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"], region_name=self.region)
        return Backend(self.kind, self.region, session, endpoint_url=self.endpoint_url, account_id=account_id,
                       _config=self._config)

    def describe(self) -> str:
        """One line for a notebook: where calls go, without secrets or account ids."""
        if self.kind is BackendKind.EMBEDDED:
            return f"embedded AWS emulator (moto, in-process), region {self.region}: no account, no cost"
        if self.kind is BackendKind.ENDPOINT:
            return f"AWS-compatible endpoint {self.endpoint_url or '(per-service AWS_ENDPOINT_URL_*)'}, region {self.region}"
        return f"REAL AWS, region {self.region}: requests cost money; run lab.teardown() when done"


def get_backend(
    choice: str | BackendKind | None = None,
    *,
    region: str | None = None,
    aws_account: str | None = None,
) -> Backend:
    """Resolve the backend from the argument, ``LABS_BACKEND`` and boto3's endpoint variables."""
    kind = _parse_kind(choice)
    region = validate_region(region or _default_region())
    # Standard-mode retries (5 attempts) ride out throttling on real AWS and are harmless elsewhere.
    retry_config = Config(retries={"mode": "standard", "max_attempts": 5})
    if kind is BackendKind.EMBEDDED:
        start_embedded_emulator()
        session = boto3.Session(region_name=region, **EMULATOR_CREDENTIALS)
        # ignore_configured_endpoint_urls: an explicit "embedded" wins over AWS_ENDPOINT_URL.
        config = retry_config.merge(Config(ignore_configured_endpoint_urls=True))
        return Backend(kind, region, session, _config=config)
    if kind is BackendKind.ENDPOINT:
        endpoints = configured_endpoint_variables()
        if not endpoints:
            raise LabError(
                "The endpoint backend was chosen but no endpoint is configured.",
                "Set AWS_ENDPOINT_URL=http://127.0.0.1:5000 (for example, a moto server started with "
                "'python -m labs emulator') or choose the embedded backend.",
            )
        session = boto3.Session(region_name=region)
        if session.get_credentials() is None:
            # Emulators accept any credentials; real ones are not needed and not wanted here.
            session = boto3.Session(region_name=region, **EMULATOR_CREDENTIALS)
        # inject_host_prefix=False: some operations (StartSyncExecution, "sync-states.<region>") prefix
        # the host, which on an endpoint like http://127.0.0.1:5000 becomes an unresolvable
        # "sync-127.0.0.1"; LocalStack's and moto's docs give the same setting.
        config = retry_config.merge(Config(inject_host_prefix=False))
        return Backend(kind, region, session, endpoint_url=endpoints.get("AWS_ENDPOINT_URL"), _config=config)
    return _confirmed_real_aws(region, aws_account, retry_config)


def _confirmed_real_aws(region: str, aws_account: str | None, config: Config) -> Backend:
    how = (
        "Real AWS needs two deliberate steps: LABS_BACKEND=aws in the environment, and "
        "start_lab(..., aws_account='<12-digit account id>') in the notebook. Expect a few cents "
        "per lab; run lab.teardown() at the end and 'python -m labs sweep' to check."
    )
    if os.environ.get(BACKEND_ENV, "").strip().lower() not in {"aws", "real"}:
        raise RealAwsBlockedError("Real AWS was requested but LABS_BACKEND=aws is not set.", how)
    if not aws_account or not re.fullmatch(r"\d{12}", str(aws_account)):
        raise RealAwsBlockedError("Real AWS needs the account id confirmed in the notebook.", how)
    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        raise LabError(
            "LABS_BACKEND=aws is set but boto3 found no AWS credentials.",
            "Configure credentials the usual boto3 way (AWS_PROFILE, aws configure, SSO login).",
        )
    _guard_state.confirming = True
    try:
        actual = session.client("sts", region_name=region, config=config).get_caller_identity()["Account"]
    finally:
        _guard_state.confirming = False
    if actual != str(aws_account):
        raise RealAwsBlockedError(
            "The credentials belong to a different AWS account than the one confirmed.",
            "Check AWS_PROFILE; pass the account id those credentials really belong to.",
        )
    _confirmed_accounts.add(actual)
    return Backend(BackendKind.AWS, region, session, account_id=actual, _config=config)
