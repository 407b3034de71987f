public import HookworkCore
public import HookworkStore

extension DeliveryRecord {
    /// The delivery as the API and the CLI show it (no payload: it may hold secrets).
    public var json: JSONValue {
        func number(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }
        var object = JSONObject([("id", .int(id)), ("message_id", .string(messageID)), ("kind", .string(kind.rawValue))])
        object["status"] = .string(status.rawValue)
        object["method"] = .string(method)
        object["url"] = .string(SecretMask.maskURL(url))
        object["host"] = .string(host)
        object["webhook_id"] = number(webhookID)
        object["trigger_id"] = number(triggerID)
        object["chat_id"] = number(chatID)
        object["rest_api_id"] = number(restAPIID)
        object["attempts"] = .int(attempts)
        object["next_attempt_at"] = number(nextAttemptAt)
        object["created_at"] = .int(createdAt)
        object["updated_at"] = .int(updatedAt)
        object["last_status_code"] = number(lastStatusCode)
        object["last_error"] = lastError.map(JSONValue.string) ?? .null
        object["sequence"] = number(sequence)
        return .object(object)
    }
}

extension DeliveryAttemptRecord {
    /// The attempt as the API and the CLI show it.
    public var json: JSONValue {
        var object = JSONObject([("number", .int(number)), ("started_at", .int(startedAt)), ("duration_ms", .int(durationMilliseconds))])
        object["request"] = request
        object["response"] = response ?? .null
        object["error"] = error.map(JSONValue.string) ?? .null
        return .object(object)
    }
}
