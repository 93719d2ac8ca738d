//! The WebSocket endpoint against the protocol itself (RFC 6455), frame by frame, as the
//! Autobahn test suite probes a server: fragmentation, control frames, bad UTF-8, reserved bits,
//! unknown opcodes and bad close codes. The frames are written by hand on a raw TCP connection,
//! since a well-behaved client library refuses to send most of them.

mod common;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::{spawn_app, TestApp};

const TEXT: u8 = 0x1;
const CONTINUATION: u8 = 0x0;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;
const FIN: u8 = 0x80;

/// A socket opened by hand: the upgrade request, then raw frames.
struct RawSocket {
    stream: TcpStream,
    unread: Vec<u8>,
}

/// One frame as the server sent it.
#[derive(Debug)]
struct Frame {
    opcode: u8,
    payload: Vec<u8>,
}

impl Frame {
    fn close_code(&self) -> Option<u16> {
        (self.opcode == CLOSE && self.payload.len() >= 2)
            .then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }
}

impl RawSocket {
    async fn open(app: &TestApp) -> RawSocket {
        Self::open_via(app, app.addr).await
    }

    /// A socket to `app` through whatever listens at `addr` (the server itself, or a proxy).
    async fn open_via(app: &TestApp, addr: std::net::SocketAddr) -> RawSocket {
        let ada = app.user("ada", "jobseeker").await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "GET /ws/notifications/ HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\nCookie: {}\r\n\r\n",
            addr, ada.cookie
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut socket = RawSocket {
            stream,
            unread: Vec::new(),
        };
        let head = socket.read_until(b"\r\n\r\n").await;
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        let hello = socket.frame().await.expect("a hello frame");
        assert_eq!(hello.opcode, TEXT);
        socket
    }

    async fn read_until(&mut self, end: &[u8]) -> String {
        loop {
            if let Some(at) = self.unread.windows(end.len()).position(|w| w == end) {
                let head: Vec<u8> = self.unread.drain(..at + end.len()).collect();
                return String::from_utf8_lossy(&head).into_owned();
            }
            self.fill().await.expect("the server answers");
        }
    }

    async fn fill(&mut self) -> Option<()> {
        let mut buffer = [0u8; 4096];
        let read = tokio::time::timeout(Duration::from_secs(5), self.stream.read(&mut buffer))
            .await
            .ok()?
            .ok()?;
        (read > 0).then(|| self.unread.extend_from_slice(&buffer[..read]))
    }

    async fn need(&mut self, n: usize) -> Option<Vec<u8>> {
        while self.unread.len() < n {
            self.fill().await?;
        }
        Some(self.unread.drain(..n).collect())
    }

    /// The next frame from the server, or `None` once the connection is closed.
    async fn frame(&mut self) -> Option<Frame> {
        let head = self.need(2).await?;
        let mut len = u64::from(head[1] & 0x7F);
        if len == 126 {
            len = u64::from(u16::from_be_bytes(self.need(2).await?.try_into().unwrap()));
        } else if len == 127 {
            len = u64::from_be_bytes(self.need(8).await?.try_into().unwrap());
        }
        let payload = self.need(len as usize).await?;
        Some(Frame {
            opcode: head[0] & 0x0F,
            payload,
        })
    }

    /// Sends one frame, masked as a client must, with `first` as its first byte (FIN, reserved
    /// bits and opcode) exactly as given.
    async fn send(&mut self, first: u8, payload: &[u8]) {
        // The server may close before reading everything; that is its answer, not an error here.
        let _ = self.try_send(first, payload).await;
    }

    /// Like [`RawSocket::send`], answering whether the write went through.
    async fn try_send(&mut self, first: u8, payload: &[u8]) -> std::io::Result<()> {
        let mask = [0x11, 0x22, 0x33, 0x44];
        let mut frame = vec![first];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xFFFF => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).await
    }

    /// The close code the server ends with (skipping other frames), or `None` if it dropped the
    /// connection without a close frame.
    async fn close_code(&mut self) -> Option<u16> {
        while let Some(frame) = self.frame().await {
            if frame.opcode == CLOSE {
                return frame.close_code();
            }
        }
        None
    }
}

#[tokio::test]
async fn a_ping_is_answered_with_a_pong_carrying_the_same_payload() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket.send(FIN | PING, b"hello?").await;
    let pong = socket.frame().await.unwrap();
    assert_eq!(
        (pong.opcode, pong.payload.as_slice()),
        (PONG, &b"hello?"[..])
    );
}

#[tokio::test]
async fn a_message_in_fragments_with_a_ping_between_them_is_understood() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket.send(TEXT, br#"{"act"#).await;
    socket.send(FIN | PING, b"between").await;
    socket.send(CONTINUATION, br#"ion":"pi"#).await;
    socket.send(FIN | CONTINUATION, br#"ng"}"#).await;
    let pong = socket.frame().await.unwrap();
    assert_eq!(
        pong.opcode, PONG,
        "the ping between fragments is answered first"
    );
    let answer = socket.frame().await.unwrap();
    assert_eq!(answer.opcode, TEXT);
    assert_eq!(answer.payload, br#"{"type":"pong"}"#);
}

#[tokio::test]
async fn text_that_is_not_utf8_is_closed_with_1007() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket
        .send(
            FIN | TEXT,
            &[
                0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80,
            ],
        )
        .await;
    assert_eq!(socket.close_code().await, Some(1007));
}

#[tokio::test]
async fn a_frame_with_a_reserved_bit_set_is_closed_with_1002() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket
        .send(FIN | 0x40 | TEXT, br#"{"action":"ping"}"#)
        .await;
    assert_eq!(socket.close_code().await, Some(1002));
}

#[tokio::test]
async fn an_unknown_opcode_is_closed_with_1002() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket.send(FIN | 0x3, b"what is this").await;
    assert_eq!(socket.close_code().await, Some(1002));
}

#[tokio::test]
async fn a_control_frame_over_125_bytes_is_closed_with_1002() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket.send(FIN | PING, &[b'x'; 126]).await;
    assert_eq!(socket.close_code().await, Some(1002));
}

#[tokio::test]
async fn a_fragmented_ping_is_closed_with_1002() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket.send(PING, b"half").await;
    assert_eq!(socket.close_code().await, Some(1002));
}

#[tokio::test]
async fn a_continuation_with_nothing_to_continue_is_closed_with_1002() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket.send(FIN | CONTINUATION, b"orphan").await;
    assert_eq!(socket.close_code().await, Some(1002));
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_closed_with_1009() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket.send(FIN | TEXT, &vec![b' '; 64 * 1024]).await;
    assert_eq!(socket.close_code().await, Some(1009));
}

#[tokio::test]
async fn a_close_is_echoed_with_its_code() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket.send(FIN | CLOSE, &1000u16.to_be_bytes()).await;
    assert_eq!(socket.close_code().await, Some(1000));
}

#[tokio::test]
async fn a_close_with_a_code_no_one_may_send_is_closed_with_1002() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    socket.send(FIN | CLOSE, &999u16.to_be_bytes()).await;
    assert_eq!(socket.close_code().await, Some(1002));
}

/// A message over the limit sent in fragments, each under it, by a client that goes on writing
/// it (4 MiB, more than the connection buffers): the server closes with 1009 and reads what the
/// client still sends until it answers the close, so the client's writes all go through and it
/// reads the close frame, rather than a reset connection.
#[tokio::test]
async fn a_fragmented_message_over_the_size_limit_is_closed_with_1009_not_a_reset() {
    let app = spawn_app().await;
    let mut socket = RawSocket::open(&app).await;
    let fragment = vec![b' '; 4 * 1024];
    let mut failed_writes = 0;
    for n in 0..1024 {
        let first = match n {
            0 => TEXT,
            1023 => FIN | CONTINUATION,
            _ => CONTINUATION,
        };
        if socket.try_send(first, &fragment).await.is_err() {
            failed_writes += 1;
        }
    }
    assert_eq!(
        failed_writes, 0,
        "writes failed: the server reset the connection"
    );
    assert_eq!(socket.close_code().await, Some(1009));
}

/// nginx with the configuration `make cluster` runs (`deploy/nginx.conf`), in front of one test
/// server; `None` (and a loud SKIPPED) where nginx is not installed (`make test`'s set-up,
/// `scripts/setup.sh`, installs Debian's nginx-light).
struct Nginx {
    addr: std::net::SocketAddr,
    _process: tokio::process::Child,
    _dir: tempfile::TempDir,
}

async fn nginx_in_front_of(app: &TestApp) -> Option<Nginx> {
    let Some(binary) = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|path| std::path::Path::new(path).exists())
    else {
        eprintln!("SKIPPED: nginx is not installed (scripts/setup.sh installs nginx-light)");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().display().to_string();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    std::fs::create_dir_all(dir.path().join("temp")).unwrap();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let conf = include_str!("../../deploy/nginx.conf")
        .replace("@PORT@", &addr.port().to_string())
        .replace("@WORK@", &work)
        .replace("@UPSTREAMS@", &format!("server {};", app.addr));
    let conf_path = dir.path().join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let process = tokio::process::Command::new(binary)
        .arg("-p")
        .arg(&work)
        .arg("-c")
        .arg(&conf_path)
        .arg("-g")
        .arg(format!(
            "daemon off; master_process off; pid {work}/nginx.pid; error_log {work}/logs/error.log;"
        ))
        .kill_on_drop(true)
        .spawn()
        .expect("nginx starts");
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_ok() {
            return Some(Nginx {
                addr,
                _process: process,
                _dir: dir,
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nginx never listened on {addr}");
}

/// Behind nginx, a single frame of 4 MiB (far over the limit, and more than the connections
/// buffer) still ends in a 1009 close frame reaching the client, every write of the client's
/// going through: not in a connection the proxy drops (1006) or resets.
#[tokio::test]
async fn behind_nginx_a_frame_far_over_the_limit_is_closed_with_1009() {
    let app = spawn_app().await;
    let Some(nginx) = nginx_in_front_of(&app).await else {
        return;
    };
    let mut socket = RawSocket::open_via(&app, nginx.addr).await;
    let written = socket
        .try_send(FIN | TEXT, &vec![b' '; 4 * 1024 * 1024])
        .await;
    assert!(written.is_ok(), "the write failed: {written:?}");
    assert_eq!(socket.close_code().await, Some(1009));
}

/// Behind nginx, a message over the limit in fragments ends in a 1009 close frame too.
#[tokio::test]
async fn behind_nginx_a_fragmented_message_over_the_limit_is_closed_with_1009() {
    let app = spawn_app().await;
    let Some(nginx) = nginx_in_front_of(&app).await else {
        return;
    };
    let mut socket = RawSocket::open_via(&app, nginx.addr).await;
    let fragment = vec![b' '; 4 * 1024];
    let mut failed_writes = 0;
    for n in 0..1024 {
        let first = match n {
            0 => TEXT,
            1023 => FIN | CONTINUATION,
            _ => CONTINUATION,
        };
        if socket.try_send(first, &fragment).await.is_err() {
            failed_writes += 1;
        }
    }
    assert_eq!(failed_writes, 0, "writes failed: the connection was reset");
    assert_eq!(socket.close_code().await, Some(1009));
}
