import Foundation

// The typed content of the actions Hookwork runs (spec §8.2, §8.3, §8.4), read once from an action's `content`. Texts
// that the bot-text dialect renders are kept as written (`PHPText.scalarText`: nil when absent or not a scalar).

extension TriggerAction {
    /// What an action does, with its content.
    public enum Body: Sendable {
        /// `restapi`: a call to a Rest API method.
        case restAPI(RestAPICallContent)
        /// `mail`: an e-mail.
        case mail(MailContent)
        /// `alert_icon`: adds or removes an alert icon on the chat.
        case alertIcon(AlertIconContent)
        /// `text`: a message in the chat.
        case text(TextContent)
        /// `command`: a chat command.
        case command(ChatCommandContent)
        /// Any other type, named as stored: reported as not supported.
        case unsupported(String)

        /// The body a stored `type` and `content` describe.
        public init(type: String, content: JSONObject) {
            switch type {
            case "restapi": self = .restAPI(RestAPICallContent(content))
            case "mail": self = .mail(MailContent(content))
            case "alert_icon": self = .alertIcon(AlertIconContent(content))
            case "text": self = .text(TextContent(content))
            case "command": self = .command(ChatCommandContent(content))
            default: self = .unsupported(type)
            }
        }

        /// The type as stored (`restapi`).
        public var type: String {
            switch self {
            case .restAPI: "restapi"
            case .mail: "mail"
            case .alertIcon: "alert_icon"
            case .text: "text"
            case .command: "command"
            case .unsupported(let type): type
            }
        }
    }
}

/// A member as text, as the reference reads a scalar (nil when absent, a list or an object).
private func text(_ content: JSONObject, _ key: String) -> String? {
    content[key].flatMap { PHPText.scalarText($0) }
}

/// A member as PHP truthiness (absent: false).
private func flag(_ content: JSONObject, _ key: String) -> Bool {
    content[key].map(PHPLoose.isTruthyValue) ?? false
}

/// `restapi`: which Rest API method to call, with which user parameters, and what follows its answer.
public struct RestAPICallContent: Sendable {
    /// The Rest API's id (`rest_api`), when it is an integer.
    public let restAPIID: Int?
    /// `rest_api` as written, for the error that names it.
    public let restAPIWritten: JSONValue?
    /// The method's id (`rest_api_method`).
    public let methodID: String
    /// User parameters' values by parameter id (`rest_api_method_params`), in the bot-text dialect.
    public let methodParameters: [String: String]
    /// What follows the answer (`rest_api_method_output`): output rule ids to triggers, `default_trigger`, ...
    public let outputMapping: JSONObject
    /// The output rules the action checked (`<id>_chk`): only they are tried.
    public let checkedRules: Set<String>
    /// `attr_options.custom_args_1..5`, by number, in the bot-text dialect.
    public let customArguments: [Int: String]
    /// `attr_options.save_response`: the content becomes a chat message when no trigger follows.
    public let savesResponse: Bool
    /// `attr_options.as_system`, as written (the saved message is a system message).
    public let asSystem: JSONValue?
    /// The whole content, as the outbox keeps it for the output rules.
    public let content: JSONObject

    /// The call `content` describes.
    public init(_ content: JSONObject) {
        self.content = content
        restAPIWritten = content["rest_api"]
        restAPIID = content["rest_api"]?.looseInt
        methodID = text(content, "rest_api_method") ?? ""
        var parameters: [String: String] = [:]
        for (key, value) in content["rest_api_method_params"]?.objectValue ?? JSONObject() {
            if let value = PHPText.scalarText(value) { parameters[key] = value }
        }
        methodParameters = parameters
        let mapping = content["rest_api_method_output"]?.objectValue ?? JSONObject()
        outputMapping = mapping
        checkedRules = Set(
            mapping.compactMap { entry -> String? in
                guard entry.key.hasSuffix("_chk"), PHPLoose.isTruthyValue(entry.value) else { return nil }
                return String(entry.key.dropLast(4))
            })
        let options = content["attr_options"]?.objectValue ?? JSONObject()
        var custom: [Int: String] = [:]
        for index in 1...5 {
            if let value = text(options, "custom_args_\(index)"), !value.isEmpty { custom[index] = value }
        }
        customArguments = custom
        savesResponse = flag(options, "save_response")
        asSystem = options["as_system"]
    }
}

/// `mail`: the e-mail's fields (`mail_options`) and body (`text`), each in the bot-text dialect.
public struct MailContent: Sendable {
    /// `mail_options.recipient`.
    public let recipient: String?
    /// `mail_options.from_email`.
    public let fromEmail: String?
    /// `mail_options.from_name`.
    public let fromName: String?
    /// `mail_options.reply_to`.
    public let replyTo: String?
    /// `mail_options.subject`.
    public let subject: String?
    /// The body (`text`).
    public let body: String?
    /// `mail_options.parse_bbcode`: only a JSON `true` turns it on, as the reference compares with `=== true`.
    public let convertsBBCode: Bool

    /// The e-mail `content` describes.
    public init(_ content: JSONObject) {
        let options = content["mail_options"]?.objectValue ?? JSONObject()
        recipient = text(options, "recipient")
        fromEmail = text(options, "from_email")
        fromName = text(options, "from_name")
        replyTo = text(options, "reply_to")
        subject = text(options, "subject")
        body = text(content, "text")
        convertsBBCode = options["parse_bbcode"] == .bool(true)
    }
}

/// `alert_icon`: the icon, whether it is removed, and how it shows.
public struct AlertIconContent: Sendable {
    /// The icon's name (`alert_icon`; `new_releases` when empty).
    public let icon: String
    /// `attr_options.remove_icon`.
    public let removes: Bool
    /// The appearance members the platform reads (`show_alert`, `aicon_color`, `nick_color`, `bold_nick`,
    /// `aicon_title`), as written.
    public let appearance: [(key: String, value: JSONValue)]

    /// The icon `content` describes.
    public init(_ content: JSONObject) {
        icon = text(content, "alert_icon").flatMap { $0.isEmpty ? nil : $0 } ?? "new_releases"
        let options = content["attr_options"]?.objectValue ?? JSONObject()
        removes = flag(options, "remove_icon")
        appearance = ["show_alert", "aicon_color", "nick_color", "bold_nick", "aicon_title"].compactMap { key in
            options[key].map { (key, $0) }
        }
    }
}

/// `text`: a bot (or system) message.
public struct TextContent: Sendable {
    /// The message, in the bot-text dialect.
    public let text: String?
    /// `attr_options.as_system`: a system message instead of the bot's.
    public let asSystem: Bool

    /// The message `content` describes.
    public init(_ content: JSONObject) {
        self.text = HookworkCore.text(content, "text")
        asSystem = flag(content["attr_options"]?.objectValue ?? JSONObject(), "as_system")
    }

    /// A message with this text.
    public init(text: String, asSystem: Bool) {
        self.text = text
        self.asSystem = asSystem
    }
}

/// `command`: a chat command and its arguments.
public struct ChatCommandContent: Sendable {
    /// The command (`command`).
    public let command: ChatCommand
    /// `payload`, in the bot-text dialect (a department id, an attribute name, a JSON list or object, ...).
    public let payload: String?
    /// `payload_arg`, in the bot-text dialect (the value to set).
    public let payloadArgument: String?
    /// `update_if_empty`: set the attribute only when it has no value.
    public let updatesOnlyIfEmpty: Bool
    /// `remove_subject`: remove instead of add (`setsubject`, `setliveattr`).
    public let removes: Bool
    /// `remove_if_empty`: `setliveattr` removes the attribute when the value is empty.
    public let removesIfEmpty: Bool
    /// `messageaggregation`'s options.
    public let aggregation: MessageAggregationOptions
    /// The whole content (`dispatchevent` passes it on).
    public let content: JSONObject

    /// The command `content` describes.
    public init(_ content: JSONObject) {
        self.content = content
        command = ChatCommand(name: text(content, "command") ?? "")
        payload = text(content, "payload")
        payloadArgument = text(content, "payload_arg")
        updatesOnlyIfEmpty = flag(content, "update_if_empty")
        removes = flag(content, "remove_subject")
        removesIfEmpty = flag(content, "remove_if_empty")
        aggregation = MessageAggregationOptions(content)
    }
}

/// The chat commands of spec §8.2.
public enum ChatCommand: Sendable, Equatable {
    case closeChat, stopChat, transferToBot, setDepartment, setChatAttribute, chatAttribute, chatVariable, dispatchEvent
    case disableUntilOperatorMessage, setSubject, setLiveAttribute, removeProcess, metaMessage, messageAttribute, messageAggregation
    /// Any other name: refused when it runs (saving warns).
    case unknown(String)

    /// Every command Hookwork runs, by name.
    public static let known: [String: ChatCommand] = [
        "closechat": .closeChat, "stopchat": .stopChat, "transfertobot": .transferToBot, "setdepartment": .setDepartment,
        "setchatattribute": .setChatAttribute, "chatattribute": .chatAttribute, "chatvariable": .chatVariable, "dispatchevent": .dispatchEvent,
        "disableuntillopmsg": .disableUntilOperatorMessage, "setsubject": .setSubject, "setliveattr": .setLiveAttribute,
        "removeprocess": .removeProcess, "metamsg": .metaMessage, "messageattribute": .messageAttribute, "messageaggregation": .messageAggregation,
    ]

    /// The command named `name`.
    public init(name: String) {
        self = Self.known[name] ?? .unknown(name)
    }

    /// The name as the reference writes it (`closechat`).
    public var name: String {
        if case .unknown(let name) = self { return name }
        return Self.known.first { $0.value == self }?.key ?? ""
    }
}

/// `messageaggregation`'s options (spec §8.2): which messages, which `meta_msg` member, how to aggregate, where to store.
public struct MessageAggregationOptions: Sendable {
    /// `msg_type_all`, `msg_type_vis`, `msg_type_bot`, `msg_type_op`, `msg_type_vis_bot`, `msg_type_vis_op` (each on when `1`).
    public let allMessages: Bool
    public let visitorMessages: Bool
    public let botMessages: Bool
    public let operatorMessages: Bool
    public let visitorMessagesToBot: Bool
    public let visitorMessagesToOperator: Bool
    /// The chat variable that receives the result (`payload`).
    public let variable: String
    /// `payload_arg_type`: `count`, `ratio`, `count_filter`, `avg`, `sum`, `max`, `min`, `count_max`, `sum_avg`.
    public let method: String
    /// `payload_include_number`: a share of the first (`f`) or last (`l`) messages, in percent.
    public let include: String
    /// `payload_arg_field`: the `meta_msg` member that names a message's group.
    public let groupField: String
    /// `payload_arg_val`: the groups counted (comma-separated), or the member that holds the value.
    public let groupValues: String
    /// `payload_arg_val_trshl`: values at or below it are left out.
    public let threshold: JSONValue?
    /// `payload_arg_val_sum`: the groups of the total (`ratio`), or the groups allowed; nil when absent.
    public let totals: String?
    /// `payload_arg_val_field`: the member whose value must pass the threshold (`ratio`).
    public let scoreField: String
    /// `payload_cond_field`: the chat variable that receives the winning group's value.
    public let valueVariable: String

    /// The options `content` describes.
    public init(_ content: JSONObject) {
        func on(_ key: String) -> Bool { content[key].flatMap(\.looseInt) == 1 }
        func string(_ key: String) -> String { text(content, key) ?? "" }
        allMessages = on("msg_type_all")
        visitorMessages = on("msg_type_vis")
        botMessages = on("msg_type_bot")
        operatorMessages = on("msg_type_op")
        visitorMessagesToBot = on("msg_type_vis_bot")
        visitorMessagesToOperator = on("msg_type_vis_op")
        variable = string("payload")
        method = string("payload_arg_type")
        include = string("payload_include_number")
        groupField = string("payload_arg_field")
        groupValues = string("payload_arg_val")
        threshold = content["payload_arg_val_trshl"]
        totals = content["payload_arg_val_sum"] == nil ? nil : string("payload_arg_val_sum")
        scoreField = string("payload_arg_val_field")
        valueVariable = string("payload_cond_field")
    }
}
