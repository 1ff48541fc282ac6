//! Attachments: encrypted, streamed uploads and downloads through the authenticated media API.
//!
//! Neither direction holds a whole file in memory. An upload is pushed in chunks by the caller;
//! a blocking task encrypts them (AES-CTR, so ciphertext and plaintext have the same length)
//! into the request body while it is being sent. A download streams the ciphertext into a
//! temporary file in the store while hashing it, and only after the hash matches the event's is
//! any plaintext produced: a tampered file never yields a single decrypted byte. The decrypted
//! bytes are then pulled by the caller in chunks.
//!
//! Only the ciphertext ever touches the disk; the file key stays in the core.

use std::{
    collections::HashMap,
    io::{self, Read},
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc as std_mpsc, Mutex, PoisonError,
    },
};

use base64::Engine as _;
use matrix_sdk::RoomState;
use matrix_sdk_base::crypto::{AttachmentDecryptor, AttachmentEncryptor, MediaEncryptionInfo};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::{io::AsyncWriteExt, task::JoinHandle};

use super::{security::Operation, HeadlessClient};
use crate::{
    error::{CoreError, CoreResult},
    runtime::runtime,
    validate,
};

/// Size of the ciphertext buffers sent into the request body, and of decrypted read-out chunks.
const CHUNK_BYTES: usize = 256 * 1024;
/// Chunks waiting between the caller and the encryptor, and between encryptor and request.
const CHUNKS_IN_FLIGHT: usize = 4;

/// The kind of attachment message, derived from the MIME type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    /// `m.image`
    Image,
    /// `m.audio`
    Audio,
    /// `m.video`
    Video,
    /// `m.file`, for everything else
    File,
}

impl AttachmentKind {
    /// The kind TI-M clients expect for a MIME type: its top-level type decides.
    pub fn for_mime_type(mime_type: &str) -> Self {
        match mime_type.split('/').next() {
            Some("image") => Self::Image,
            Some("audio") => Self::Audio,
            Some("video") => Self::Video,
            _ => Self::File,
        }
    }

    fn message_type(self) -> &'static str {
        match self {
            Self::Image => "m.image",
            Self::Audio => "m.audio",
            Self::Video => "m.video",
            Self::File => "m.file",
        }
    }
}

/// What the caller says about a file before it sends it.
#[derive(Debug, Clone)]
pub struct AttachmentSpec {
    /// The file name shown to the receiver.
    pub file_name: String,
    /// The MIME type, such as `application/pdf`.
    pub mime_type: String,
    /// The exact size in bytes.
    pub size: u64,
}

/// What an attachment message says about its file, as a download reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadInfo {
    /// The file name, if the message gives one.
    pub file_name: Option<String>,
    /// The declared MIME type, if any.
    pub mime_type: Option<String>,
    /// The size in bytes of the verified file.
    pub size: u64,
}

/// The uploads and downloads of one client in progress, by ID.
#[derive(Default)]
pub(crate) struct Transfers {
    next_id: AtomicU64,
    uploads: Mutex<HashMap<u64, Upload>>,
    downloads: Mutex<HashMap<u64, Download>>,
}

impl Transfers {
    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Ends every transfer in progress, as when the client closes.
    pub(crate) fn abort_all(&self) {
        let uploads: Vec<Upload> = self
            .uploads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .map(|u| u.1)
            .collect();
        for upload in uploads {
            upload.task.abort();
        }
        let downloads: Vec<Download> = self
            .downloads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .map(|d| d.1)
            .collect();
        for download in downloads {
            download.discard();
        }
    }
}

struct Upload {
    room_id: String,
    spec: AttachmentSpec,
    chunks: std_mpsc::SyncSender<Vec<u8>>,
    written: u64,
    task: JoinHandle<CoreResult<Uploaded>>,
}

struct Uploaded {
    content_uri: String,
    encryption: MediaEncryptionInfo,
}

struct Download {
    plaintext: Mutex<std_mpsc::Receiver<io::Result<Vec<u8>>>>,
    temp_file: PathBuf,
}

impl Download {
    fn discard(self) {
        drop(self.plaintext);
        if std::fs::remove_file(&self.temp_file).is_err() {
            tracing::warn!("a download's temporary file could not be removed");
        }
    }
}

impl HeadlessClient {
    /// Starts sending an attachment into a joined, encrypted room: checks the description
    /// against the homeserver's upload limit and starts the upload. Feed the file's bytes with
    /// [`Self::write_attachment`], then send the message with [`Self::finish_attachment`].
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a bad name or MIME type, an empty file, or one above
    /// the homeserver's limit; [`CoreError::WrongRoomState`] for an unencrypted room (TI-M
    /// sends attachments encrypted only); homeserver and network errors.
    pub async fn begin_attachment(&self, room_id: &str, spec: AttachmentSpec) -> CoreResult<u64> {
        self.admit(Operation::Send, "begin_attachment")?;
        validate::file_name("fileName", &spec.file_name)?;
        validate::mime_type("mimeType", &spec.mime_type)?;
        if spec.size == 0 {
            return Err(CoreError::invalid("size", "must be at least one byte"));
        }

        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            let encrypted = room
                .latest_encryption_state()
                .await
                .map_err(|error| CoreError::from_sdk("room encryption", error))?
                .is_encrypted();
            if !encrypted {
                return Err(CoreError::WrongRoomState(
                    "attachments are sent to encrypted rooms only",
                ));
            }
            let engine = room.client();
            let limit = engine
                .load_or_fetch_max_upload_size()
                .await
                .map_err(|error| CoreError::from_sdk("upload limit", error))?;
            if spec.size > u64::from(limit) {
                return Err(CoreError::invalid("size", "exceeds the homeserver's upload limit"));
            }

            let (chunks, plaintext) = std_mpsc::sync_channel(CHUNKS_IN_FLIGHT);
            let task = runtime().spawn(upload(engine, spec.size, plaintext));
            let id = self.transfers.next_id();
            let upload =
                Upload { room_id: room.room_id().to_string(), spec, chunks, written: 0, task };
            self.transfers
                .uploads
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, upload);
            Ok(id)
        })
        .await
    }

    /// Hands the next bytes of an attachment to its upload; blocks while the upload is behind.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for an unknown upload or more bytes than announced (the
    /// upload is then given up); the upload's own error when it has failed.
    pub fn write_attachment(&self, upload_id: u64, bytes: &[u8]) -> CoreResult<()> {
        let chunks = {
            let mut uploads = self.transfers.uploads.lock().unwrap_or_else(PoisonError::into_inner);
            let upload = uploads.get_mut(&upload_id).ok_or(unknown_transfer())?;
            upload.written += bytes.len() as u64;
            if upload.written > upload.spec.size {
                if let Some(upload) = uploads.remove(&upload_id) {
                    upload.task.abort();
                }
                return Err(CoreError::invalid("size", "is smaller than the bytes written"));
            }
            upload.chunks.clone()
        };
        if chunks.send(bytes.to_vec()).is_ok() {
            return Ok(());
        }

        // The pipeline ended early: its task knows why.
        let upload = self
            .transfers
            .uploads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&upload_id);
        match upload {
            Some(upload) => match crate::block_on(upload.task) {
                Ok(Err(error)) => Err(error),
                _ => Err(CoreError::Internal("upload")),
            },
            None => Err(unknown_transfer()),
        }
    }

    /// Completes an upload whose bytes were all written and sends its message; returns the
    /// message's event ID.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] when fewer bytes were written than announced; the
    /// upload's and the send's homeserver and network errors.
    pub async fn finish_attachment(&self, upload_id: u64) -> CoreResult<String> {
        let upload = self
            .transfers
            .uploads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&upload_id)
            .ok_or(unknown_transfer())?;
        let Upload { room_id, spec, chunks, written, task } = upload;
        drop(chunks);
        if written != spec.size {
            task.abort();
            return Err(CoreError::invalid("size", "is larger than the bytes written"));
        }

        let uploaded = self
            .guarded(async { task.await.map_err(|_| CoreError::Internal("upload task"))? })
            .await?;
        let content = attachment_content(&spec, uploaded)?;
        let event_id = self.send_content(&room_id, "m.room.message", content).await?;
        tracing::info!(room_id = %room_id, size = spec.size, "attachment sent");
        Ok(event_id)
    }

    /// Gives up an upload; nothing is sent. Unknown IDs are ignored.
    pub fn abort_attachment(&self, upload_id: u64) {
        let upload = self
            .transfers
            .uploads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&upload_id);
        if let Some(upload) = upload {
            upload.task.abort();
        }
    }

    /// Downloads the attachment of a message and checks its hash; only then can its decrypted
    /// bytes be read with [`Self::read_download`].
    ///
    /// # Errors
    /// [`CoreError::EventNotFound`]; [`CoreError::InvalidArgument`] when the event is no
    /// encrypted attachment; [`CoreError::AttachmentTampered`] when the file does not match the
    /// event's hash (nothing is kept); homeserver, network and store errors.
    pub async fn begin_download(
        &self,
        room_id: &str,
        event_id: &str,
    ) -> CoreResult<(u64, DownloadInfo)> {
        let event_id = validate::event_id("eventId", event_id)?;
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            let value = super::messages::fetch_event(&room, &event_id).await?;
            let attachment = EncryptedAttachment::from_event(&value)?;

            let engine = room.client();
            let limit = engine
                .load_or_fetch_max_upload_size()
                .await
                .map_err(|error| CoreError::from_sdk("upload limit", error))?;
            let temp_dir = self.store.media_temp_dir();
            std::fs::create_dir_all(&temp_dir).map_err(|_| {
                CoreError::StoreUnusable("the download directory cannot be created")
            })?;
            let temp_file = temp_dir.join(random_name()?);

            let size = match download_ciphertext(&engine, &attachment, &temp_file, u64::from(limit))
                .await
            {
                Ok(size) => size,
                Err(error) => {
                    let _ = std::fs::remove_file(&temp_file);
                    return Err(error);
                }
            };

            let plaintext = spawn_decryption(temp_file.clone(), attachment.encryption);
            let id = self.transfers.next_id();
            let download = Download { plaintext: Mutex::new(plaintext), temp_file };
            self.transfers
                .downloads
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, download);
            Ok((
                id,
                DownloadInfo {
                    file_name: attachment.file_name,
                    mime_type: attachment.mime_type,
                    size,
                },
            ))
        })
        .await
    }

    /// The next decrypted chunk of a download, `None` at its end (the download is then closed).
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for an unknown download; [`CoreError::AttachmentTampered`]
    /// when the file changed after its check.
    pub fn read_download(&self, download_id: u64) -> CoreResult<Option<Vec<u8>>> {
        let next = {
            let downloads = self.transfers.downloads.lock().unwrap_or_else(PoisonError::into_inner);
            let download = downloads.get(&download_id).ok_or(unknown_transfer())?;
            let receiver = download.plaintext.lock().unwrap_or_else(PoisonError::into_inner);
            receiver.recv()
        };
        match next {
            Ok(Ok(chunk)) => Ok(Some(chunk)),
            Ok(Err(_)) => {
                self.close_download(download_id);
                Err(CoreError::AttachmentTampered)
            }
            Err(std_mpsc::RecvError) => {
                self.close_download(download_id);
                Ok(None)
            }
        }
    }

    /// Ends a download and deletes its temporary file. Unknown IDs are ignored.
    pub fn close_download(&self, download_id: u64) {
        let download = self
            .transfers
            .downloads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&download_id);
        if let Some(download) = download {
            download.discard();
        }
    }
}

fn unknown_transfer() -> CoreError {
    CoreError::invalid("transferId", "names no transfer in progress")
}

/// Encrypts the chunks that arrive on `plaintext` and streams them to the media repository.
async fn upload(
    engine: matrix_sdk::Client,
    size: u64,
    plaintext: std_mpsc::Receiver<Vec<u8>>,
) -> CoreResult<Uploaded> {
    let (body_in, body_out) =
        tokio::sync::mpsc::channel::<io::Result<bytes::Bytes>>(CHUNKS_IN_FLIGHT);
    let encryption = tokio::task::spawn_blocking(move || -> io::Result<MediaEncryptionInfo> {
        let mut reader = ChunkReader { chunks: plaintext, current: Vec::new(), position: 0 };
        let mut encryptor = AttachmentEncryptor::new(&mut reader);
        let mut buffer = vec![0; CHUNK_BYTES];
        loop {
            let read = encryptor.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            let chunk = bytes::Bytes::copy_from_slice(&buffer[..read]);
            if body_in.blocking_send(Ok(chunk)).is_err() {
                return Err(io::Error::other("the upload request ended"));
            }
        }
        Ok(encryptor.finish())
    });

    let token = engine.access_token().ok_or(CoreError::NotLoggedIn)?;
    let url = engine
        .homeserver()
        .join("_matrix/media/v3/upload")
        .map_err(|_| CoreError::Internal("upload url"))?;
    let body = futures_util::stream::unfold(body_out, |mut chunks| async move {
        chunks.recv().await.map(|chunk| (chunk, chunks))
    });
    let request = engine
        .http_client()
        .post(url)
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .header(reqwest::header::CONTENT_LENGTH, size)
        .body(reqwest::Body::wrap_stream(body))
        .send();

    let (response, encryption) = tokio::join!(request, encryption);
    let response = response.map_err(|_| CoreError::Network)?;
    let answer = json_answer("upload", response).await?;
    let encryption = encryption
        .map_err(|_| CoreError::Internal("encrypt attachment"))?
        .map_err(|_| CoreError::Internal("encrypt attachment"))?;
    let content_uri = answer
        .get("content_uri")
        .and_then(Value::as_str)
        .ok_or(CoreError::Internal("upload answer"))?
        .to_owned();
    Ok(Uploaded { content_uri, encryption })
}

/// Reads the homeserver's JSON answer, or turns an error status into a homeserver error.
async fn json_answer(context: &'static str, response: reqwest::Response) -> CoreResult<Value> {
    let status = response.status();
    let bytes = response.bytes().await.map_err(|_| CoreError::Network)?;
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if !status.is_success() {
        let errcode = body.get("errcode").and_then(Value::as_str).unwrap_or("unknown").to_owned();
        tracing::debug!(operation = context, status = status.as_u16(), "media request refused");
        return Err(CoreError::Homeserver { status: status.as_u16(), errcode });
    }
    Ok(body)
}

/// The message content of an uploaded, encrypted attachment.
fn attachment_content(spec: &AttachmentSpec, uploaded: Uploaded) -> CoreResult<Value> {
    let mut file = serde_json::to_value(&uploaded.encryption)
        .map_err(|_| CoreError::Internal("encode attachment encryption"))?;
    file["url"] = uploaded.content_uri.into();
    let kind = AttachmentKind::for_mime_type(&spec.mime_type);
    Ok(json!({
        "msgtype": kind.message_type(),
        "body": spec.file_name,
        "filename": spec.file_name,
        "info": { "mimetype": spec.mime_type, "size": spec.size },
        "file": file,
    }))
}

/// The parts of an attachment message a download needs.
struct EncryptedAttachment {
    server_name: String,
    media_id: String,
    sha256: String,
    encryption: MediaEncryptionInfo,
    file_name: Option<String>,
    mime_type: Option<String>,
}

impl EncryptedAttachment {
    fn from_event(event: &Value) -> CoreResult<Self> {
        let not_attachment = || CoreError::invalid("eventId", "is no encrypted attachment message");
        let content = event.get("content").ok_or_else(not_attachment)?;
        let message_type = content.get("msgtype").and_then(Value::as_str).unwrap_or_default();
        if !["m.file", "m.image", "m.audio", "m.video"].contains(&message_type) {
            return Err(not_attachment());
        }
        let file = content.get("file").filter(|f| f.is_object()).ok_or_else(not_attachment)?;
        let url = file.get("url").and_then(Value::as_str).ok_or_else(not_attachment)?;
        let (server_name, media_id) = url
            .strip_prefix("mxc://")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(server, id)| !server.is_empty() && !id.is_empty() && !id.contains('/'))
            .ok_or_else(not_attachment)?;
        let sha256 = file
            .get("hashes")
            .and_then(|hashes| hashes.get("sha256"))
            .and_then(Value::as_str)
            .ok_or_else(not_attachment)?
            .to_owned();
        let encryption: MediaEncryptionInfo =
            serde_json::from_value(file.clone()).map_err(|_| not_attachment())?;
        let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
        Ok(Self {
            server_name: server_name.to_owned(),
            media_id: media_id.to_owned(),
            sha256,
            encryption,
            file_name: text(content.get("filename")).or_else(|| text(content.get("body"))),
            mime_type: text(content.get("info").and_then(|info| info.get("mimetype"))),
        })
    }
}

/// Streams the ciphertext into `temp_file`, at most `limit` bytes, and checks its SHA-256
/// against the event's; returns its size.
async fn download_ciphertext(
    engine: &matrix_sdk::Client,
    attachment: &EncryptedAttachment,
    temp_file: &std::path::Path,
    limit: u64,
) -> CoreResult<u64> {
    use futures_util::StreamExt as _;

    let token = engine.access_token().ok_or(CoreError::NotLoggedIn)?;
    let mut url = engine.homeserver();
    url.path_segments_mut()
        .map_err(|_| CoreError::Internal("download url"))?
        .pop_if_empty()
        .extend(["_matrix", "client", "v1", "media", "download"])
        .push(&attachment.server_name)
        .push(&attachment.media_id);
    let response = engine
        .http_client()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|_| CoreError::Network)?;
    if !response.status().is_success() {
        return json_answer("download", response).await.map(|_| 0);
    }

    let mut file = tokio::fs::File::create(temp_file)
        .await
        .map_err(|_| CoreError::StoreUnusable("a download cannot be written"))?;
    let mut hash = Sha256::new();
    let mut size = 0u64;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| CoreError::Network)?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(CoreError::AttachmentTampered);
        }
        hash.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(|_| CoreError::StoreUnusable("a download cannot be written"))?;
    }
    file.flush().await.map_err(|_| CoreError::StoreUnusable("a download cannot be written"))?;

    let actual = base64::engine::general_purpose::STANDARD_NO_PAD.encode(hash.finalize());
    if actual != attachment.sha256.trim_end_matches('=') {
        tracing::warn!("a downloaded attachment does not match its hash");
        return Err(CoreError::AttachmentTampered);
    }
    Ok(size)
}

/// Decrypts the checked ciphertext on a blocking thread, chunk by chunk, as the reader pulls.
fn spawn_decryption(
    temp_file: PathBuf,
    encryption: MediaEncryptionInfo,
) -> std_mpsc::Receiver<io::Result<Vec<u8>>> {
    let (chunks, plaintext) = std_mpsc::sync_channel(2);
    runtime().spawn_blocking(move || {
        let result = (|| -> io::Result<()> {
            let mut file = std::fs::File::open(&temp_file)?;
            let mut decryptor = AttachmentDecryptor::new(&mut file, encryption)
                .map_err(|_| io::Error::other("unusable encryption info"))?;
            loop {
                let mut buffer = vec![0; CHUNK_BYTES];
                let (read, ended) = read_full(&mut decryptor, &mut buffer)?;
                buffer.truncate(read);
                if read > 0 && chunks.send(Ok(buffer)).is_err() {
                    return Ok(());
                }
                // The decryptor checks the hash on the first empty read; it must not read past
                // that, as a second check would hash nothing.
                if ended {
                    return Ok(());
                }
            }
        })();
        if let Err(error) = result {
            let _ = chunks.send(Err(error));
        }
    });
    plaintext
}

/// Reads until `buffer` is full or the input ends; returns the bytes read and whether it ended.
fn read_full(reader: &mut impl Read, buffer: &mut [u8]) -> io::Result<(usize, bool)> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..])? {
            0 => return Ok((filled, true)),
            read => filled += read,
        }
    }
    Ok((filled, false))
}

fn random_name() -> CoreResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|_| CoreError::Internal("random file name"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>() + ".part")
}

/// A `Read` over the chunks a channel delivers; the sender's end is the input's end.
struct ChunkReader {
    chunks: std_mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    position: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        while self.position == self.current.len() {
            match self.chunks.recv() {
                Ok(chunk) => {
                    self.current = chunk;
                    self.position = 0;
                }
                Err(std_mpsc::RecvError) => return Ok(0),
            }
        }
        let count = buffer.len().min(self.current.len() - self.position);
        buffer[..count].copy_from_slice(&self.current[self.position..self.position + count]);
        self.position += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_follows_the_mime_type() {
        assert_eq!(AttachmentKind::for_mime_type("image/png"), AttachmentKind::Image);
        assert_eq!(AttachmentKind::for_mime_type("audio/ogg"), AttachmentKind::Audio);
        assert_eq!(AttachmentKind::for_mime_type("video/mp4"), AttachmentKind::Video);
        assert_eq!(AttachmentKind::for_mime_type("application/pdf"), AttachmentKind::File);
    }

    #[test]
    fn encrypted_uploads_round_trip_through_the_decryptor() {
        let plaintext: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
        let (chunks, receiver) = std_mpsc::sync_channel(CHUNKS_IN_FLIGHT);
        let feeder = {
            let plaintext = plaintext.clone();
            std::thread::spawn(move || {
                for chunk in plaintext.chunks(100_000) {
                    chunks.send(chunk.to_vec()).expect("send");
                }
            })
        };
        let mut reader = ChunkReader { chunks: receiver, current: Vec::new(), position: 0 };
        let mut encryptor = AttachmentEncryptor::new(&mut reader);
        let mut ciphertext = Vec::new();
        encryptor.read_to_end(&mut ciphertext).expect("encrypt");
        let info = encryptor.finish();
        feeder.join().expect("feeder");
        assert_eq!(ciphertext.len(), plaintext.len());
        assert_ne!(ciphertext, plaintext);

        let spec = AttachmentSpec {
            file_name: "a.pdf".into(),
            mime_type: "application/pdf".into(),
            size: 1,
        };
        let uploaded = Uploaded { content_uri: "mxc://example.org/abc".into(), encryption: info };
        let content = attachment_content(&spec, uploaded).expect("content");
        assert_eq!(content["msgtype"], "m.file");
        assert_eq!(content["file"]["v"], "v2");
        assert_eq!(content["file"]["url"], "mxc://example.org/abc");

        let event = json!({ "content": content });
        let attachment = EncryptedAttachment::from_event(&event).expect("attachment");
        assert_eq!(
            (attachment.server_name.as_str(), attachment.media_id.as_str()),
            ("example.org", "abc")
        );
        let expected =
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(&ciphertext));
        assert_eq!(attachment.sha256.trim_end_matches('='), expected);

        let mut source = io::Cursor::new(ciphertext);
        let mut decryptor =
            AttachmentDecryptor::new(&mut source, attachment.encryption).expect("decryptor");
        let mut decrypted = Vec::new();
        decryptor.read_to_end(&mut decrypted).expect("decrypt");
        assert_eq!(decrypted, plaintext);
    }

    #[test]
    fn only_encrypted_attachment_messages_can_be_downloaded() {
        for content in [
            json!({ "msgtype": "m.text", "body": "x" }),
            json!({ "msgtype": "m.file", "body": "x", "url": "mxc://example.org/plain" }),
            json!({ "msgtype": "m.file", "body": "x", "file": { "url": "https://example.org/x" } }),
        ] {
            assert!(EncryptedAttachment::from_event(&json!({ "content": content })).is_err());
        }
    }
}
