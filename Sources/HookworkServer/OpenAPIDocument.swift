import Foundation
import HookworkCore
import Hummingbird

/// The OpenAPI 3 document, generated from the route table so that it lists exactly the registered routes.
enum OpenAPIDocument {
    static func make(specs: [RouteSpec]) -> JSONValue {
        var paths = JSONObject()
        for spec in specs {
            var operation = JSONObject()
            operation["summary"] = .string(spec.summary)
            operation["tags"] = .array([.string(spec.tag)])
            operation["operationId"] = .string(operationID(spec))
            if spec.scope != .public {
                operation["security"] = .array([.object(JSONObject([("bearer", .array([]))]))])
                operation["description"] = .string("Needs a bearer token with the \(spec.scope.rawValue) scope (an admin token can do everything).")
            }
            var parameters = spec.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { segment -> JSONValue in
                let name = String(segment.dropFirst().dropLast())
                let schema: JSONValue = name == "host" ? ["type": "string"] : ["type": "integer"]
                return .object(JSONObject([("name", .string(name)), ("in", .string("path")), ("required", .bool(true)), ("schema", schema)]))
            }
            for (name, schema) in OpenAPISchemas.query(spec) {
                parameters.append(.object(JSONObject([("name", .string(name)), ("in", "query"), ("required", false), ("schema", schema)])))
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            let bodies = OpenAPISchemas.bodies(spec)
            if spec.hasBody {
                let schema = bodies.request.map(ref) ?? .object(JSONObject([("type", .string("object"))]))
                operation["requestBody"] = .object(
                    JSONObject([
                        ("required", .bool(true)),
                        ("content", .object(JSONObject([("application/json", .object(JSONObject([("schema", schema)])))]))),
                    ]))
            }
            var responses = JSONObject()
            var success = JSONObject([("description", .string(spec.success == 204 ? "No content" : "Success"))])
            if spec.success != 204, let name = bodies.response {
                let schema = name == "string" ? ["type": "string"] : ref(name)
                success["content"] = .object(JSONObject([(bodies.contentType, .object(JSONObject([("schema", schema)])))]))
            }
            responses[String(spec.success)] = .object(success)
            if spec.path == "/api/v1/events" && spec.method == .post {
                responses["202"] = .object(
                    JSONObject([
                        ("description", .string("Queued (queue worker) or stored with webhooks disabled")),
                        ("content", .object(JSONObject([("application/json", .object(JSONObject([("schema", ref("EventAnswer"))])))]))),
                    ]))
            }
            responses["default"] = .object(
                JSONObject([
                    ("description", .string("An error, in the one error shape")),
                    ("content", .object(JSONObject([("application/json", .object(JSONObject([("schema", ref("Error"))])))]))),
                ]))
            operation["responses"] = .object(responses)
            var item = paths[spec.path]?.objectValue ?? JSONObject()
            item[spec.method.rawValue.lowercased()] = .object(operation)
            paths[spec.path] = .object(item)
        }
        let errorSchema: JSONValue = .object(
            JSONObject([
                ("type", .string("object")),
                (
                    "properties",
                    .object(
                        JSONObject([
                            (
                                "error",
                                .object(
                                    JSONObject([
                                        ("type", .string("object")),
                                        ("required", .array(["code", "message", "field"])),
                                        (
                                            "properties",
                                            .object(
                                                JSONObject([
                                                    ("code", .object(JSONObject([("type", .string("string"))]))),
                                                    ("message", .object(JSONObject([("type", .string("string"))]))),
                                                    ("field", .object(JSONObject([("type", .string("string")), ("nullable", .bool(true))]))),
                                                    (
                                                        "details",
                                                        .object(
                                                            JSONObject([
                                                                ("type", .string("array")),
                                                                ("items", .object(JSONObject([("type", .string("object"))]))),
                                                            ]))
                                                    ),
                                                ]))
                                        ),
                                    ]))
                            )
                        ]))
                ),
            ]))
        return .object(
            JSONObject([
                ("openapi", .string("3.0.3")),
                (
                    "info",
                    .object(
                        JSONObject([
                            ("title", .string("Hookwork")), ("version", .string("1")),
                            (
                                "description",
                                .string(
                                    "Webhooks and continuous automation for live chat and mail support, compatible with Live Helper Chat's webhooks.")
                            ),
                        ]))
                ),
                ("paths", .object(paths)),
                (
                    "components",
                    .object(
                        JSONObject([
                            (
                                "securitySchemes",
                                .object(JSONObject([("bearer", .object(JSONObject([("type", .string("http")), ("scheme", .string("bearer"))])))]))
                            ),
                            ("schemas", .object(JSONObject([("Error", errorSchema)] + OpenAPISchemas.components))),
                        ]))
                ),
            ]))
    }

    static func ref(_ name: String) -> JSONValue {
        .object(JSONObject([("$ref", .string("#/components/schemas/\(name)"))]))
    }

    static func operationID(_ spec: RouteSpec) -> String {
        let words = spec.path.split(separator: "/").map { segment in
            segment.hasPrefix("{") ? "By" + segment.dropFirst().dropLast().capitalized : segment.replacingOccurrences(of: ".", with: "_")
        }
        return spec.method.rawValue.lowercased() + "_" + words.joined(separator: "_")
    }
}
