extension Migration {
    /// The chat history backtests replay (`ChatHistoryStore`), and the chat of each logged firing, so that a
    /// backtest's would-be firings can be set beside what the webhook really fired, chat by chat.
    static let chatHistory = Migration(name: "0014_chat_history") { sql in
        [
            """
            CREATE TABLE hw_chat_history (
                seq \(sql.autoIncrementKey),
                chat_id \(sql.integer) NOT NULL,
                at \(sql.integer) NOT NULL,
                state TEXT
            )
            """,
            "CREATE INDEX hw_chat_history_time ON hw_chat_history (at, seq)",
            "CREATE INDEX hw_chat_history_chat ON hw_chat_history (chat_id, at)",
            "ALTER TABLE hw_firings ADD COLUMN chat_id \(sql.integer)",
            "CREATE INDEX hw_firings_webhook ON hw_firings (webhook_id, fired_at)",
        ]
    }
}
