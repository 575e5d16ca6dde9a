//! The test vectors of `docs/SOCKETIO.md`, replayed from the document itself.
//!
//! Each table under its "Test vectors" heading is read row by row and every
//! row is checked against the decoders and encoders of `regime_core::engineio`
//! and `regime_core::socketio`: a frame must decode to what its *decodes to*
//! cell says and encode back to itself, a refused packet must be refused, and
//! a client frame must be what its encoder builds. The document is the one
//! place the vectors are written; editing a row changes what is tested.

use regime_core::engineio::{self, EngineIoPacket};
use regime_core::model::Subscription;
use regime_core::socketio::{self, PacketType, ServerEvent, SocketIoPacket};

const DOC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/SOCKETIO.md"
));

const ENGINEIO: &str = "Engine.IO frames";
const SERVER: &str = "Socket.IO packets from a server";
const REFUSED: &str = "Socket.IO packets a decoder must refuse";
const CLIENT: &str = "Frames this client sends";

/// One table of the document: its `###` heading and its body rows, each cell
/// unwrapped from its code span.
struct Table {
    heading: String,
    rows: Vec<Vec<String>>,
}

/// The tables after the "Test vectors" heading.
fn vector_tables(doc: &str) -> Vec<Table> {
    let mut tables: Vec<Table> = Vec::new();
    let mut in_vectors = false;
    let mut heading = None;
    let mut header_seen = false;
    for line in doc.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            in_vectors = title.trim() == "Test vectors";
            heading = None;
            continue;
        }
        if !in_vectors {
            continue;
        }
        if let Some(title) = line.strip_prefix("### ") {
            heading = Some(title.trim().to_string());
            header_seen = false;
            continue;
        }
        let Some(heading) = &heading else { continue };
        let line = line.trim();
        if !line.starts_with('|') {
            continue;
        }
        let cells = split_row(line);
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue; // the |---|---| line under the header
        }
        if !header_seen {
            header_seen = true;
            tables.push(Table {
                heading: heading.clone(),
                rows: Vec::new(),
            });
            continue;
        }
        if let Some(table) = tables.last_mut() {
            table
                .rows
                .push(cells.iter().map(|c| unwrap_cell(c)).collect());
        }
    }
    tables
}

/// Splits `| a | b |` into its cells, ignoring `|` inside code spans.
fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut in_code = false;
    for ch in inner.chars() {
        match ch {
            '`' => {
                in_code = !in_code;
                cell.push(ch);
            }
            '|' if !in_code => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(ch),
        }
    }
    cells.push(cell);
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// A cell that is one code span stands for its text; `(empty)` for nothing.
fn unwrap_cell(cell: &str) -> String {
    if cell == "(empty)" {
        return String::new();
    }
    match cell.strip_prefix('`').and_then(|c| c.strip_suffix('`')) {
        Some(code) if !code.contains('`') => code.to_string(),
        _ => cell.to_string(),
    }
}

/// The rows of the table with this heading; none found is a failure, so the
/// test cannot pass on a document that lost its vectors.
fn rows(heading: &str) -> Vec<Vec<String>> {
    let tables = vector_tables(DOC);
    let table = tables
        .into_iter()
        .find(|t| t.heading == heading)
        .unwrap_or_else(|| panic!("docs/SOCKETIO.md has no table under \"### {heading}\""));
    assert!(
        !table.rows.is_empty(),
        "docs/SOCKETIO.md: the table \"{heading}\" has no rows"
    );
    for row in &table.rows {
        assert!(
            row.len() >= 2,
            "\"{heading}\": a row needs two cells: {row:?}"
        );
    }
    table.rows
}

/// Collects the rows that fail, so one run names all of them.
fn report(heading: &str, total: usize, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "docs/SOCKETIO.md, \"{heading}\": {} of {total} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// An Engine.IO frame in the words of the *decodes to* column.
fn summarize_engineio(frame: &str) -> String {
    match EngineIoPacket::decode(frame) {
        Err(_) => "invalid".to_string(),
        Ok(EngineIoPacket::Open(o)) => {
            let mut s = format!(
                "open sid={} upgrades={} pingInterval={} pingTimeout={}",
                o.sid,
                o.upgrades.join(","),
                o.ping_interval,
                o.ping_timeout
            );
            if let Some(max) = o.max_payload {
                s.push_str(&format!(" maxPayload={max}"));
            }
            s
        }
        Ok(EngineIoPacket::Message(data)) => format!("message {data}"),
        Ok(other) => other.name().to_string(),
    }
}

/// A Socket.IO packet (without the Engine.IO `4`) in the words of the
/// *decodes to* column.
fn summarize_socketio(packet: &SocketIoPacket<'_>) -> String {
    let mut parts = vec![
        packet.packet_type.name().to_string(),
        packet.namespace.to_string(),
    ];
    if packet.attachments > 0 {
        parts.push(format!("attachments={}", packet.attachments));
    }
    if let Some(id) = packet.ack_id {
        parts.push(format!("ack={id}"));
    }
    match (packet.packet_type, packet.payload) {
        (PacketType::Connect, payload) => match socketio::decode_connect_reply(payload) {
            Ok(reply) => {
                parts.extend(reply.sid.map(|sid| format!("sid={sid}")));
                parts.extend(reply.pid.map(|pid| format!("pid={pid}")));
            }
            Err(reason) => parts.push(format!("error: {reason}")),
        },
        (PacketType::ConnectError, payload) => parts.push(format!(
            "message={}",
            socketio::connect_error_message(payload)
        )),
        (PacketType::Event | PacketType::BinaryEvent, Some(payload)) => {
            match socketio::decode_event(payload) {
                Ok(decoded) => {
                    parts.push(match decoded.event {
                        ServerEvent::Market(event) => event.name().to_string(),
                        ServerEvent::Batch(Ok(items)) => {
                            let items: Vec<String> = items
                                .into_iter()
                                .map(|item| match item {
                                    Ok(event) => event.name().to_string(),
                                    Err(e) => format!("error: {}", e.reason),
                                })
                                .collect();
                            format!("batch=[{}]", items.join("; "))
                        }
                        ServerEvent::Batch(Err(reason)) => format!("batch error: {reason}"),
                        ServerEvent::Unknown(name) => name,
                    });
                    parts.extend(decoded.offset.map(|last| format!("last={last}")));
                }
                Err(e) => parts.push(format!("error: {}", e.reason)),
            }
        }
        (_, Some(payload)) => parts.push(format!("args={payload}")),
        (_, None) => {}
    }
    parts.join(" ")
}

/// "written back as `…`" in a note: the canonical form of a frame that does
/// not encode back to itself.
fn written_back(note: &str) -> Option<&str> {
    let rest = note.split("written back as `").nth(1)?;
    rest.split('`').next()
}

#[test]
fn engineio_frames_decode_and_encode_back() {
    let rows = rows(ENGINEIO);
    let mut failures = Vec::new();
    for row in &rows {
        let (frame, expect) = (&row[0], &row[1]);
        let got = summarize_engineio(frame);
        if &got != expect {
            failures.push(format!(
                "  {frame:?}\n    got:    {got}\n    expect: {expect}"
            ));
            continue;
        }
        if let Ok(packet) = EngineIoPacket::decode(frame) {
            let encoded = packet.encode();
            if &encoded != frame {
                failures.push(format!("  {frame:?} encodes back as {encoded:?}"));
            }
        }
    }
    report(ENGINEIO, rows.len(), failures);
}

#[test]
fn socketio_packets_decode_and_encode_back() {
    let rows = rows(SERVER);
    let mut failures = Vec::new();
    for row in &rows {
        let (frame, expect) = (&row[0], &row[1]);
        let note = row.get(2).map_or("", String::as_str);
        let inner = match EngineIoPacket::decode(frame) {
            Ok(EngineIoPacket::Message(inner)) => inner,
            other => {
                failures.push(format!(
                    "  {frame:?} is not an Engine.IO message: {other:?}"
                ));
                continue;
            }
        };
        let packet = match SocketIoPacket::decode(inner) {
            Ok(packet) => packet,
            Err(e) => {
                failures.push(format!("  {frame:?} was refused: {}", e.reason));
                continue;
            }
        };
        let got = summarize_socketio(&packet);
        if &got != expect {
            failures.push(format!(
                "  {frame:?}\n    got:    {got}\n    expect: {expect}"
            ));
        }
        let encoded = format!("4{}", packet.encode());
        let canonical = written_back(note).unwrap_or(frame);
        if encoded != canonical {
            failures.push(format!(
                "  {frame:?} encodes back as {encoded:?}, expected {canonical:?}"
            ));
        }
        match SocketIoPacket::decode(&encoded[1..]) {
            Ok(again) if again == packet => {}
            again => failures.push(format!(
                "  {frame:?}: its encoding {encoded:?} decodes as {again:?}"
            )),
        }
    }
    report(SERVER, rows.len(), failures);
}

#[test]
fn refused_packets_are_refused() {
    let rows = rows(REFUSED);
    let mut failures = Vec::new();
    for row in &rows {
        let packet = &row[0];
        match SocketIoPacket::decode(packet) {
            Err(e) if !e.reason.is_empty() => {}
            got => failures.push(format!("  {packet:?} was not refused: {got:?}")),
        }
        // The same packet as a whole frame: Engine.IO passes it on, Socket.IO refuses it.
        let frame = format!("4{packet}");
        match EngineIoPacket::decode(&frame) {
            Ok(EngineIoPacket::Message(inner)) if SocketIoPacket::decode(inner).is_err() => {}
            got => failures.push(format!("  the frame {frame:?} was not refused: {got:?}")),
        }
    }
    report(REFUSED, rows.len(), failures);
}

/// Runs the encoder that a *built with* cell names with its arguments.
fn build(call: &str) -> Result<String, String> {
    let words: Vec<&str> = call.split_whitespace().collect();
    let list = |text: &str| -> Vec<String> {
        text.split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    match words.as_slice() {
        ["encode_connect", ns] => Ok(socketio::encode_connect(ns, None)),
        ["encode_connect", ns, auth] => Ok(socketio::encode_connect(ns, Some(auth))),
        ["encode_connect_with_recovery", ns, pid, offset] => {
            Ok(socketio::encode_connect_with_recovery(ns, pid, offset))
        }
        ["encode_subscribe", ns, symbols, timeframes] => Ok(socketio::encode_subscribe(
            ns,
            &Subscription {
                symbols: list(symbols),
                timeframes: list(timeframes),
                batch: false,
            },
        )),
        ["encode_subscribe", ns, symbols, timeframes, "batch"] => Ok(socketio::encode_subscribe(
            ns,
            &Subscription {
                symbols: list(symbols),
                timeframes: list(timeframes),
                batch: true,
            },
        )),
        ["encode_ack", ns, id, arguments] => {
            let id = id.parse().map_err(|_| format!("ack id {id:?}"))?;
            Ok(socketio::encode_ack(ns, id, arguments))
        }
        ["encode_disconnect", ns] => Ok(socketio::encode_disconnect(ns)),
        ["encode_pong"] => Ok(engineio::encode_pong(None)),
        _ => Err(format!("no encoder call this test knows: {call:?}")),
    }
}

#[test]
fn client_frames_are_what_the_encoders_build() {
    let rows = rows(CLIENT);
    let mut failures = Vec::new();
    for row in &rows {
        let (frame, call) = (&row[0], &row[1]);
        match build(call) {
            Ok(built) if &built == frame => {}
            Ok(built) => failures.push(format!(
                "  {call}\n    built:  {built}\n    expect: {frame}"
            )),
            Err(reason) => failures.push(format!("  {reason}")),
        }
        // What the client sends, a server-side reader of the same crate reads back.
        let readable = match EngineIoPacket::decode(frame) {
            Ok(EngineIoPacket::Message(inner)) => SocketIoPacket::decode(inner).is_ok(),
            Ok(EngineIoPacket::Pong(_)) => true,
            _ => false,
        };
        if !readable {
            failures.push(format!("  {frame:?} does not decode"));
        }
    }
    report(CLIENT, rows.len(), failures);
}

#[test]
fn the_reader_finds_every_table() {
    let tables = vector_tables(DOC);
    let headings: Vec<&str> = tables.iter().map(|t| t.heading.as_str()).collect();
    assert_eq!(headings, [ENGINEIO, SERVER, REFUSED, CLIENT]);
    let total: usize = tables.iter().map(|t| t.rows.len()).sum();
    assert!(total >= 50, "only {total} vectors in docs/SOCKETIO.md");
    // The reader itself: code spans keep their `|`, `(empty)` is no text.
    assert_eq!(split_row("| `a|b` | c |"), ["`a|b`", "c"]);
    assert_eq!(unwrap_cell("(empty)"), "");
    assert_eq!(unwrap_cell("`40`"), "40");
}
