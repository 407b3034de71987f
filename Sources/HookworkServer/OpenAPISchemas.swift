import HookworkCore
import HookworkStore
import Hummingbird

/// The request and response bodies of the HTTP API, for the OpenAPI document (so that a fuzzer such as schemathesis
/// checks what the server answers, not only that it answers). Schemas name the members a client relies on, with their
/// types; members not listed may appear (records keep what the platform sent).
enum OpenAPISchemas {
    // MARK: Building blocks

    static let integer: JSONValue = ["type": "integer"]
    static let string: JSONValue = ["type": "string"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let nullableInteger: JSONValue = ["type": "integer", "nullable": true]
    static let nullableString: JSONValue = ["type": "string", "nullable": true]
    /// Any JSON value.
    static let anyValue: JSONValue = .object(JSONObject())

    static func object(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        var schema = JSONObject([("type", "object"), ("properties", .object(JSONObject(properties)))])
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        return .object(schema)
    }

    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    static func enumeration(_ values: [String], nullable: Bool = false) -> JSONValue {
        var schema = JSONObject([("type", "string"), ("enum", .array(values.map(JSONValue.string)))])
        if nullable { schema["nullable"] = true }
        return .object(schema)
    }

    static func ref(_ name: String) -> JSONValue { OpenAPIDocument.ref(name) }

    // MARK: Components

    static let delivery = object(
        [
            ("id", integer), ("message_id", string), ("kind", enumeration(DeliveryKind.allCases.map(\.rawValue))),
            ("status", enumeration(DeliveryStatus.allCases.map(\.rawValue))), ("method", string), ("url", string), ("host", string),
            ("webhook_id", nullableInteger), ("trigger_id", nullableInteger), ("chat_id", nullableInteger), ("rest_api_id", nullableInteger),
            ("attempts", integer), ("next_attempt_at", nullableInteger), ("created_at", integer), ("updated_at", integer),
            ("last_status_code", nullableInteger), ("last_error", nullableString), ("sequence", nullableInteger),
        ],
        required: ["id", "message_id", "kind", "status", "host", "attempts"]
    )

    static let token = object(
        [
            ("id", nullableInteger), ("name", string), ("scope", enumeration(["admin", "ingest"])), ("source", string),
            ("created_at", nullableInteger), ("last_used_at", nullableInteger),
        ],
        required: ["name", "scope"]
    )

    /// Every component schema by name.
    static let components: [(String, JSONValue)] = [
        (
            "Webhook",
            object([
                ("name", string), ("event", string), ("type", anyValue), ("disabled", anyValue), ("delay", anyValue), ("conditions", anyValue),
                ("trigger_id", anyValue), ("trigger_id_alt", anyValue), ("firing", anyValue), ("alternative_firing", anyValue),
            ])
        ),
        ("Trigger", object([("name", string), ("actions", array(["type": "object"]))])),
        ("RestAPI", object([("name", string), ("configuration", ["type": "object"])])),
        (
            "Calendar",
            object(
                [
                    ("name", string), ("time_zone", string),
                    ("weekly", ["type": "object", "description": "Weekday (mon ... sun) to a list of [\"HH:MM\",\"HH:MM\"] opening intervals."]),
                    ("exceptions", ["type": "object", "description": "Date (YYYY-MM-DD) to that day's intervals; an empty list: closed."]),
                ], required: ["time_zone", "weekly"])
        ),
        ("ConfigurationRecord", object([("id", integer)], required: ["id"])),
        ("ConfigurationList", object([("items", array(ref("ConfigurationRecord")))], required: ["items"])),
        (
            "BacktestRequest",
            object(
                [
                    ("since", integer), ("until", integer), ("tick", ["type": "integer", "minimum": 1, "maximum": 3600]),
                    ("wait_ms", ["type": "integer", "minimum": 0, "maximum": 20_000]), ("webhook", ["type": "object"]),
                ],
                required: ["since"])
        ),
        (
            "Backtest",
            object(
                [
                    ("backtest_id", integer), ("webhook_id", integer), ("status", enumeration(["running", "done", "failed", "cancelled"])),
                    ("progress", ["type": "number"]), ("since", integer), ("until", integer), ("tick", integer), ("started_at", integer),
                    ("error", string), ("would_fire", array(ref("BacktestFiring"))), ("fired", array(ref("BacktestFiring"))),
                    ("truncated", boolean), ("totals", ["type": "object"]),
                ],
                required: ["backtest_id", "webhook_id", "status", "progress"])
        ),
        (
            "BacktestFiring",
            object(
                [("chat_id", integer), ("time", integer), ("branch", string), ("trigger_id", integer)],
                required: ["chat_id", "time", "branch", "trigger_id"])
        ),
        (
            "ShadowFirings",
            object(
                [
                    ("webhook_id", integer), ("mode", enumeration(["live", "shadow"])), ("since", integer), ("until", integer), ("total", integer),
                    ("per_hour", array(object([("hour", integer), ("count", integer)], required: ["hour", "count"]))),
                    (
                        "firings",
                        array(object([("time", integer), ("branch", string), ("trigger_id", integer), ("trace", anyValue)], required: ["time"]))
                    ),
                ],
                required: ["webhook_id", "mode", "per_hour", "firings"])
        ),
        (
            "WhyNot",
            object(
                [
                    ("webhook_id", integer), ("chat_id", integer), ("now", integer), ("valid", boolean), ("fires", boolean), ("summary", string),
                    ("reasons", array(object([("code", string), ("message", string)], required: ["code", "message"]))), ("verdict", ref("Trace")),
                    (
                        "last_delivery",
                        object([("id", integer), ("status", string), ("created_at", integer), ("host", string), ("attempts", integer)])
                    ),
                    (
                        "trigger_actions",
                        array(
                            object(
                                [("index", integer), ("type", string), ("runs", boolean), ("code", string), ("reason", string)],
                                required: ["index", "type", "runs"]))
                    ),
                ],
                required: ["webhook_id", "chat_id", "valid", "fires", "summary", "reasons", "verdict"])
        ),
        (
            "VersionSummary",
            object(
                [("version", integer), ("saved_at", nullableInteger), ("saved_by", string), ("deleted", boolean), ("changed_members", integer)],
                required: ["version", "saved_at", "saved_by", "deleted"])
        ),
        ("VersionList", object([("items", array(ref("VersionSummary")))], required: ["items"])),
        (
            "Version",
            [
                "allOf": [
                    ref("VersionSummary"),
                    object(
                        [
                            ("document", ["type": "object", "nullable": true]),
                            (
                                "diff",
                                object(
                                    [
                                        ("against", nullableInteger),
                                        (
                                            "changes",
                                            array(
                                                object(
                                                    [
                                                        ("op", enumeration(["added", "removed", "changed"])), ("path", string), ("before", anyValue),
                                                        ("after", anyValue),
                                                        ("secret", boolean),
                                                    ], required: ["op", "path"]))
                                        ), ("truncated", boolean),
                                    ], required: ["against", "changes", "truncated"])
                            ),
                        ], required: ["document", "diff"]),
                ]
            ]
        ),
        (
            "Deletions",
            object(
                [
                    (
                        "items",
                        array(
                            object(
                                [
                                    ("id", integer), ("name", anyValue), ("deleted_at", nullableInteger), ("deleted_by", string),
                                    ("last_version", nullableInteger),
                                ], required: ["id", "deleted_at", "deleted_by"]))
                    )
                ], required: ["items"])
        ),
        ("StateRecord", ["type": "object", "description": "A record as the platform sent it (chat, message, department, ...); `id` is the path's."]),
        ("StateList", object([("items", array(ref("StateRecord")))], required: ["items"])),
        (
            "Batch",
            [
                "type": "object",
                "description": "Member per collection (chats, messages, departments, ...), each a list of records with an integer id.",
                "additionalProperties": array(object([("id", integer)], required: ["id"])),
            ]
        ),
        ("BatchAnswer", object([("stored", ["type": "object", "additionalProperties": integer])], required: ["stored"])),
        (
            "Event",
            object(
                [("event", string), ("id", string), ("args", ["type": "object"]), ("run_at", integer), ("delay", integer)],
                required: ["event"]
            )
        ),
        (
            "EventAnswer",
            object(
                [
                    ("event_id", integer), ("duplicate", boolean), ("status", enumeration(["done", "queued", "stored", "parked", "pending"])),
                    ("outcome", anyValue),
                ],
                required: ["event_id", "status"]
            )
        ),
        (
            "StoredEvent",
            object(
                [
                    ("event_id", integer), ("event", string), ("id", nullableString), ("args", anyValue), ("received_at", integer),
                    ("run_at", integer),
                    ("attempts", integer), ("status", string), ("outcome", anyValue),
                    (
                        "delayed_runs",
                        array(object([("delay", integer), ("id", string), ("run_at", integer), ("event_id", nullableInteger), ("status", string)]))
                    ),
                ],
                required: ["event_id", "event", "status"]
            )
        ),
        (
            "ParkedEvents",
            object(
                [
                    (
                        "events",
                        array(
                            object(
                                [
                                    ("event_id", integer), ("event", string), ("id", nullableString), ("received_at", integer),
                                    ("parked_at", integer),
                                    ("attempts", integer), ("reason", string), ("args", anyValue),
                                ],
                                required: ["event_id", "reason"]
                            ))
                    ), ("total", integer),
                ],
                required: ["events"]
            )
        ),
        ("Queued", object([("event_id", integer), ("status", string)], required: ["event_id", "status"])),
        (
            "ContinuousFaults",
            object(
                [
                    (
                        "faults",
                        array(
                            object(
                                [
                                    ("subject", enumeration(ContinuousSubject.allCases.map(\.rawValue))), ("id", integer), ("webhook_id", integer),
                                    ("phase", enumeration(ContinuousFaultPhase.allCases.map(\.rawValue))), ("crashes", integer),
                                    ("first_at", integer), ("last_at", integer), ("parked_at", nullableInteger),
                                    ("status", enumeration(["suspected", "parked"])), ("reason", string),
                                ],
                                required: ["subject", "id", "status", "reason"]
                            ))
                    ), ("parked", integer),
                ],
                required: ["faults", "parked"]
            )
        ),
        (
            "Resumed",
            object(
                [("subject", enumeration(ContinuousSubject.allCases.map(\.rawValue))), ("id", integer), ("status", string)],
                required: ["subject", "id", "status"])
        ),
        ("Delivery", delivery),
        (
            "DeliveryDetail",
            [
                "allOf": [
                    ref("Delivery"),
                    object([
                        (
                            "attempts_log",
                            array(
                                object(
                                    [
                                        ("number", integer), ("started_at", integer), ("duration_ms", integer), ("request", ["type": "object"]),
                                        ("response", ["type": "object", "nullable": true]), ("error", nullableString),
                                    ],
                                    required: ["number", "started_at"]
                                ))
                        )
                    ]),
                ]
            ]
        ),
        ("DeliveryList", object([("deliveries", array(ref("Delivery"))), ("next_before_id", nullableInteger)], required: ["deliveries"])),
        ("DeliveryAnswer", object([("delivery", ref("Delivery"))], required: ["delivery"])),
        (
            "ReplayRange",
            object([("status", enumeration(["failed", "exhausted"])), ("since", integer), ("until", integer)], required: ["since", "until"])
        ),
        ("Replayed", object([("replayed", integer)], required: ["replayed"])),
        (
            "Breakers",
            object(
                [
                    (
                        "hosts",
                        array(
                            object(
                                [
                                    ("host", string), ("state", enumeration(["closed", "open", "half_open"])), ("consecutive_failures", integer),
                                    ("opened_at", nullableInteger), ("next_probe_at", nullableInteger), ("retries_disabled_at", nullableInteger),
                                    ("disabled_reason", nullableString),
                                ],
                                required: ["host", "state"]
                            ))
                    )
                ],
                required: ["hosts"]
            )
        ),
        ("HostEnabled", object([("host", string), ("enabled", boolean)], required: ["host", "enabled"])),
        (
            "Activity",
            object(
                [
                    ("window", string), ("bucket_seconds", integer),
                    (
                        "buckets",
                        array(
                            object([
                                ("start", integer), ("events", integer), ("firings", integer), ("runs_without_change", integer),
                                ("delivered", integer), ("failed", integer),
                            ]))
                    ),
                ],
                required: ["buckets"]
            )
        ),
        ("Token", token),
        ("TokenList", object([("tokens", array(ref("Token")))], required: ["tokens"])),
        ("NewToken", object([("name", string), ("scope", enumeration(["admin", "ingest"]))], required: ["name", "scope"])),
        ("TokenWithSecret", ["allOf": [ref("Token"), object([("token", string)], required: ["token"])]]),
        ("Revoked", object([("deleted", boolean), ("id", integer)], required: ["deleted", "id"])),
        ("WebhookTest", object([("chat_id", integer), ("message_id", integer)])),
        ("Trace", ["type": "object", "description": "The evaluation with its trace; no trigger runs."]),
        (
            "Attributes",
            object(
                [("chat_id", integer), ("message_id", integer), ("attributes", array(object([("path", string), ("value", anyValue)])))],
                required: ["attributes"])
        ),
        ("Extracted", object([("path", string), ("found", boolean), ("value", anyValue)], required: ["path", "found"])),
        ("Ledger", object([("webhook_id", integer)], required: ["webhook_id"])),
        ("LedgerReset", object([("deleted", integer)], required: ["deleted"])),
        (
            "Health",
            object([("status", string), ("worker", string), ("webhooks_enabled", boolean)], required: ["status"])
        ),
        ("ChatAttributes", ["type": "object", "description": "The chat as conditions see it, derived attributes included."]),
        (
            "Connection",
            object(
                [
                    ("platform", enumeration(["chatwoot"])), ("base_url", string), ("account_id", integer), ("api_access_token", string),
                    ("bot_access_token", nullableString), ("webhook_secret", string),
                    ("departments", ["type": "object", "additionalProperties": integer]),
                    ("bot_id", nullableInteger), ("pending_is_bot", boolean),
                ],
                required: ["platform", "base_url", "account_id", "api_access_token", "webhook_secret"]
            )
        ),
        ("ConnectionRecord", object([("id", integer), ("platform", string)], required: ["id", "platform"])),
        ("ConnectionList", object([("items", array(ref("ConnectionRecord")))], required: ["items"])),
        ("PlatformDelivery", ["type": "object", "description": "The platform's webhook body exactly as it sends it (verified over its raw bytes)."]),
        (
            "PlatformDeliveryAnswer",
            object(
                [
                    ("platform_event", string), ("delivery", nullableString), ("duplicate", boolean),
                    (
                        "events",
                        array(object([("event", string), ("id", string), ("event_id", integer), ("duplicate", boolean), ("status", string)]))
                    ),
                    ("note", string),
                ],
                required: ["duplicate", "events"]
            )
        ),
        (
            "EventLog",
            object(
                [
                    (
                        "events",
                        array(
                            object([
                                ("event_id", integer), ("event", string), ("id", nullableString), ("received_at", integer), ("status", string),
                                ("attempts", integer), ("chat_id", nullableInteger), ("webhooks_evaluated", integer), ("triggers_run", integer),
                            ]))
                    ),
                    ("next_before_id", nullableInteger),
                ],
                required: ["events", "next_before_id"]
            )
        ),
        (
            "ConnectionSync",
            object(
                [
                    ("connection_id", integer), ("started_at", integer), ("finished_at", integer), ("pages", integer), ("conversations", integer),
                    ("updated", integer), ("looked_up", integer), ("error", nullableString),
                ],
                required: ["connection_id"]
            )
        ),
        (
            "ConnectionHealth",
            object(
                [
                    ("connection_id", integer), ("last_webhook_at", nullableInteger), ("last_webhook_event", nullableString),
                    ("webhooks_taken", nullableInteger), ("last_sync_at", nullableInteger),
                    ("last_sync", ["allOf": [ref("ConnectionSync")], "nullable": true]),
                    ("commands_failing", object([("count", integer), ("last", ["type": "object"])], required: ["count"])),
                    ("commands_exhausted_24h", object([("count", integer), ("last", ["type": "object"])], required: ["count"])),
                ],
                required: ["connection_id", "commands_failing", "commands_exhausted_24h"]
            )
        ),
        ("OpenAPI", object([("openapi", string), ("paths", ["type": "object"])], required: ["openapi", "paths"])),
    ]

    // MARK: Routes

    /// The configuration collections (`/api/v1/webhooks`, ...) and their body schemas.
    static let configuration = [
        "/api/v1/webhooks": "Webhook", "/api/v1/triggers": "Trigger", "/api/v1/rest_apis": "RestAPI", "/api/v1/calendars": "Calendar",
    ]

    /// What a route takes and answers: request schema, success schema (nil: no body) and its content type.
    static func bodies(_ spec: RouteSpec) -> (request: String?, response: String?, contentType: String) {
        let method = spec.method
        let path = spec.path
        if let base = configuration.keys.first(where: { path == $0 || path == $0 + "/{id}" }) {
            let input = configuration[base]
            switch method {
            case .get: return (nil, path == base ? "ConfigurationList" : "ConfigurationRecord", "application/json")
            case .delete: return (nil, nil, "application/json")
            default: return (input, "ConfigurationRecord", "application/json")
            }
        }
        if path.hasPrefix("/api/v1/"), let collection = StateController.collections.first(where: { path.hasPrefix("/api/v1/\($0.path)") }),
            path == "/api/v1/\(collection.path)" || path == "/api/v1/\(collection.path)/{id}"
        {
            switch method {
            case .get: return (nil, path.hasSuffix("{id}") ? "StateRecord" : "StateList", "application/json")
            case .delete: return (nil, nil, "application/json")
            default: return ("StateRecord", "StateRecord", "application/json")
            }
        }
        if let base = configuration.keys.first(where: { path.hasPrefix($0 + "/") }) {
            switch (method, String(path.dropFirst(base.count))) {
            case (.get, "/deleted"): return (nil, "Deletions", "application/json")
            case (.get, "/{id}/versions"): return (nil, "VersionList", "application/json")
            case (.get, "/{id}/versions/{version}"): return (nil, "Version", "application/json")
            case (.post, "/{id}/versions/{version}/restore"): return (nil, "ConfigurationRecord", "application/json")
            default: break
            }
        }
        let key = "\(method.rawValue) \(path)"
        switch key {
        case "GET /api/v1/connections": return (nil, "ConnectionList", "application/json")
        case "GET /api/v1/connections/{id}": return (nil, "ConnectionRecord", "application/json")
        case "PUT /api/v1/connections/{id}": return ("Connection", "ConnectionRecord", "application/json")
        case "POST /api/v1/connections/{id}/webhook": return ("PlatformDelivery", "PlatformDeliveryAnswer", "application/json")
        case "POST /api/v1/connections/{id}/sync": return (nil, "ConnectionSync", "application/json")
        case "GET /api/v1/connections/{id}/health": return (nil, "ConnectionHealth", "application/json")
        case "POST /api/v1/batch": return ("Batch", "BatchAnswer", "application/json")
        case "POST /api/v1/events": return ("Event", "EventAnswer", "application/json")
        case "GET /api/v1/events/{id}": return (nil, "StoredEvent", "application/json")
        case "GET /api/v1/events": return (nil, "EventLog", "application/json")
        case "GET /api/v1/events/parked": return (nil, "ParkedEvents", "application/json")
        case "POST /api/v1/events/{id}/replay": return (nil, "Queued", "application/json")
        case "GET /api/v1/continuous/parked": return (nil, "ContinuousFaults", "application/json")
        case "POST /api/v1/chats/{id}/resume", "POST /api/v1/mail_messages/{id}/resume": return (nil, "Resumed", "application/json")
        case "GET /api/v1/deliveries": return (nil, "DeliveryList", "application/json")
        case "GET /api/v1/deliveries/{id}": return (nil, "DeliveryDetail", "application/json")
        case "POST /api/v1/deliveries/{id}/replay", "POST /api/v1/deliveries/{id}/cancel": return (nil, "DeliveryAnswer", "application/json")
        case "POST /api/v1/deliveries/replay": return ("ReplayRange", "Replayed", "application/json")
        case "GET /api/v1/breakers": return (nil, "Breakers", "application/json")
        case "POST /api/v1/breakers/{host}/enable": return (nil, "HostEnabled", "application/json")
        case "GET /api/v1/activity": return (nil, "Activity", "application/json")
        case "GET /api/v1/tokens": return (nil, "TokenList", "application/json")
        case "POST /api/v1/tokens": return ("NewToken", "TokenWithSecret", "application/json")
        case "POST /api/v1/tokens/{id}/rotate": return (nil, "TokenWithSecret", "application/json")
        case "DELETE /api/v1/tokens/{id}": return (nil, "Revoked", "application/json")
        case "POST /api/v1/webhooks/{id}/test": return ("WebhookTest", "Trace", "application/json")
        case "GET /api/v1/chats/{id}/explore", "GET /api/v1/mail_messages/{id}/explore", "GET /api/v1/mail-messages/{id}/explore":
            return (nil, "Attributes", "application/json")
        case "GET /api/v1/chats/{id}/extract", "GET /api/v1/mail_messages/{id}/extract", "GET /api/v1/mail-messages/{id}/extract":
            return (nil, "Extracted", "application/json")
        case "GET /api/v1/webhooks/{id}/ledger": return (nil, "Ledger", "application/json")
        case "GET /api/v1/webhooks/{id}/chats/{chat_id}/why": return (nil, "WhyNot", "application/json")
        case "GET /api/v1/webhooks/{id}/shadow_firings": return (nil, "ShadowFirings", "application/json")
        case "POST /api/v1/webhooks/{id}/backtest": return ("BacktestRequest", "Backtest", "application/json")
        case "GET /api/v1/backtests/{id}", "DELETE /api/v1/backtests/{id}": return (nil, "Backtest", "application/json")
        case "DELETE /api/v1/webhooks/{id}/ledger": return (nil, "LedgerReset", "application/json")
        case "GET /api/v1/chats/{id}/attributes": return (nil, "ChatAttributes", "application/json")
        case "GET /health": return (nil, "Health", "application/json")
        case "GET /api/v1/openapi.json": return (nil, "OpenAPI", "application/json")
        case "GET /metrics": return (nil, "string", "text/plain")
        default: return (nil, nil, "application/json")
        }
    }

    /// The query parameters a route reads, each with its schema.
    static func query(_ spec: RouteSpec) -> [(name: String, schema: JSONValue)] {
        let positive: JSONValue = ["type": "integer", "minimum": 1]
        let seconds: JSONValue = ["type": "integer", "minimum": 0]
        switch "\(spec.method.rawValue) \(spec.path)" {
        case "GET /api/v1/deliveries":
            return [
                ("status", enumeration(DeliveryStatus.allCases.map(\.rawValue))), ("kind", enumeration(DeliveryKind.allCases.map(\.rawValue))),
                ("webhook_id", positive), ("chat_id", positive), ("since", seconds), ("until", seconds), ("before_id", positive),
                ("limit", ["type": "integer", "minimum": 1, "maximum": 500]),
            ]
        case "GET /api/v1/events/parked": return [("after", seconds), ("limit", ["type": "integer", "minimum": 1, "maximum": 500])]
        case "GET /api/v1/webhooks/{id}/shadow_firings":
            let time: JSONValue = ["type": "integer", "minimum": 0, "maximum": .int(Int(Int32.max) * 2)]
            return [("since", time), ("until", time), ("limit", ["type": "integer", "minimum": 1, "maximum": 1000])]
        case "GET /api/v1/events":
            return [
                ("name", ["type": "string", "maxLength": 100]), ("before_id", positive),
                ("limit", ["type": "integer", "minimum": 1, "maximum": 500]),
            ]
        case "GET /api/v1/activity": return [("window", enumeration(["hour", "day"]))]
        case "GET /api/v1/chats/{id}/explore", "GET /api/v1/mail_messages/{id}/explore", "GET /api/v1/mail-messages/{id}/explore":
            return [("depth", ["type": "integer", "minimum": 1, "maximum": 4])]
        case "GET /api/v1/chats/{id}/extract", "GET /api/v1/mail_messages/{id}/extract", "GET /api/v1/mail-messages/{id}/extract":
            return [("path", string)]
        default:
            if spec.method == .get, StateController.collections.contains(where: { spec.path == "/api/v1/\($0.path)" }) {
                return [("status", string), ("chat_id", integer), ("conversation_id", integer), ("after", integer), ("limit", integer)]
            }
            return []
        }
    }
}
