// Ed25519 verification (RFC 8032): WebCrypto when the browser has it, @noble/ed25519 otherwise.
import { verifyAsync } from '@noble/ed25519';

let webCryptoSupported; // undefined until the first attempt

/**
 * Verify an Ed25519 signature. Returns true or false; never throws for bad input.
 * `useWebCrypto: false` forces the @noble/ed25519 path (tests cover both).
 */
export async function verifyEd25519(publicKey, message, signature, { useWebCrypto = true } = {}) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (useWebCrypto && subtle && webCryptoSupported !== false) {
    let key;
    try {
      key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
      webCryptoSupported = true;
    } catch (error) {
      // Browsers without WebCrypto Ed25519 throw NotSupportedError; anything else is a bad key.
      if (error && error.name === 'NotSupportedError') webCryptoSupported = false;
      else return false;
    }
    if (key) return subtle.verify({ name: 'Ed25519' }, key, signature, message);
  }
  try {
    // zip215: false keeps RFC 8032 §5.1.7 strict decoding, as WebCrypto does.
    return await verifyAsync(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
