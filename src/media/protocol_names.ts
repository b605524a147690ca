/** The protocol names curl and ffmpeg know, and the ones barn's jobs may use by default (config: curl_protocols, ffmpeg_protocols). */

/** RTMP and its variants, which curl and ffmpeg name alike. */
const RTMP_NAMES = ["rtmp", "rtmpe", "rtmps", "rtmpt", "rtmpte", "rtmpts"];

/** curl's protocol names (`curl --version`, plus those of newer builds), for `--proto`. */
export const CURL_PROTOCOL_NAMES: readonly string[] = [
  "dict",
  "file",
  "ftp",
  "ftps",
  "gopher",
  "gophers",
  "http",
  "https",
  "imap",
  "imaps",
  "ipfs",
  "ipns",
  "ldap",
  "ldaps",
  "mqtt",
  "mqtts",
  "pop3",
  "pop3s",
  ...RTMP_NAMES,
  "rtsp",
  "scp",
  "sftp",
  "smb",
  "smbs",
  "smtp",
  "smtps",
  "telnet",
  "tftp",
  "ws",
  "wss",
];

/** ffmpeg's protocol names (`ffmpeg -protocols`, 5.x to 7.x), for `-protocol_whitelist`. */
export const FFMPEG_PROTOCOL_NAMES: readonly string[] = [
  "amqp",
  "android_content",
  "async",
  "bluray",
  "cache",
  "concat",
  "concatf",
  "crypto",
  "data",
  "dtls",
  "fd",
  "ffrtmpcrypt",
  "ffrtmphttp",
  "file",
  "ftp",
  "gopher",
  "gophers",
  "hls",
  "http",
  "httpproxy",
  "https",
  "icecast",
  "ipfs",
  "ipns",
  "librist",
  "md5",
  "mmsh",
  "mmst",
  "pipe",
  "prompeg",
  "rist",
  ...RTMP_NAMES,
  "rtp",
  "sctp",
  "sftp",
  "smb",
  "srt",
  "srtp",
  "subfile",
  "tcp",
  "tee",
  "tls",
  "udp",
  "udplite",
  "unix",
  "zmq",
];

/** What curl jobs may use unless config says otherwise. */
export const DEFAULT_CURL_PROTOCOLS: readonly string[] = ["http", "https"];

/**
 * What ffmpeg and ffprobe jobs may use unless config says otherwise: local files, stdin and
 * stdout, http(s) with the layers it stands on (tls, tcp), and HLS's AES layer (crypto).
 */
export const DEFAULT_FFMPEG_PROTOCOLS: readonly string[] = [
  "file",
  "pipe",
  "http",
  "https",
  "tcp",
  "tls",
  "crypto",
];
