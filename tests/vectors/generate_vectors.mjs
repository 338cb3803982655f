// Emits JSON test vectors made by starknet.js (the library browser wallets use), so the backend's
// SNIP-12 hashing and signature checks are proven against an implementation other than starknet-py.
//
//   cd tests/vectors && npm ci && npm run generate
//
// Everything is fixed (keys, nonces, times), so a rerun reproduces the committed file byte for byte.
import { ec, typedData } from "starknet";

const STATEMENT = "Sign in to BlocRA. This does not send a transaction or cost a fee.";

function signInTypedData({ chainId, domain, uri, address, nonce, issuedAt, expiresAt }) {
  return {
    types: {
      StarknetDomain: [
        { name: "name", type: "shortstring" },
        { name: "version", type: "shortstring" },
        { name: "chainId", type: "shortstring" },
        { name: "revision", type: "shortstring" },
      ],
      SignIn: [
        { name: "domain", type: "shortstring" },
        { name: "uri", type: "string" },
        { name: "statement", type: "string" },
        { name: "address", type: "ContractAddress" },
        { name: "nonce", type: "shortstring" },
        { name: "issuedAt", type: "timestamp" },
        { name: "expiresAt", type: "timestamp" },
      ],
    },
    primaryType: "SignIn",
    domain: { name: "BlocRA", version: "1", chainId, revision: "1" },
    message: { domain, uri, statement: STATEMENT, address, nonce, issuedAt, expiresAt },
  };
}

const hex = (value) => "0x" + BigInt(value).toString(16);
const pad = (value) => "0x" + BigInt(value).toString(16).padStart(64, "0");

// [private key, account address, nonce, chain, site, uri]
const cases = [
  ["0x1d3f5a7b9c2e4f6081a3c5e7f9b2d4f6", "0x5a11ce", "Xk3p9QeWm2Lr8TzA", "SN_SEPOLIA", "blocra.example", "https://blocra.example/login"],
  ["0x2e4f6081a3c5e7f9b2d4f61d3f5a7b9c", "0x7b0b0b0b", "q-9Zt_F3mWnYc2Hd", "SN_SEPOLIA", "localhost:5173", "http://localhost:5173"],
  ["0x3f5a7b9c1d2e4f6081a3c5e7f9b2d4f6", "0x2d8f6e21b4a9c0d7e3f5a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abc", "nonce_with_31_characters_xxxxxx", "SN_MAIN", "app.blocra.io", "https://app.blocra.io/sign-in?next=%2Fbounties"],
];

const vectors = cases.map(([privateKey, account, nonce, chainId, domain, uri], index) => {
  const issuedAt = 1767225600 + index * 3600;
  // Far in the future, so that tests can insert the challenge row unexpired with these exact times.
  const expiresAt = 4102444800 + index;
  const address = pad(account);
  const td = signInTypedData({ chainId, domain, uri, address, nonce, issuedAt, expiresAt });
  const messageHash = typedData.getMessageHash(td, address);
  const signature = ec.starkCurve.sign(messageHash, privateKey);
  return {
    name: `signin-${index + 1}`,
    typed_data: td,
    account_address: address,
    private_key: privateKey,
    public_key: hex(ec.starkCurve.getStarkKey(privateKey)),
    message_hash: hex(messageHash),
    r: hex(signature.r),
    s: hex(signature.s),
  };
});

// The revision-0 "Mail" example of the SNIP-12 documentation: hashing only.
const mail = {
  types: {
    StarkNetDomain: [
      { name: "name", type: "felt" },
      { name: "version", type: "felt" },
      { name: "chainId", type: "felt" },
    ],
    Person: [
      { name: "name", type: "felt" },
      { name: "wallet", type: "felt" },
    ],
    Mail: [
      { name: "from", type: "Person" },
      { name: "to", type: "Person" },
      { name: "contents", type: "felt" },
    ],
  },
  primaryType: "Mail",
  domain: { name: "StarkNet Mail", version: "1", chainId: "1" },
  message: {
    from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
    to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
    contents: "Hello, Bob!",
  },
};
const mailAccount = "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826";

// The sign-in example of the Starknet notes (§3) (account 0x123, unpadded in the message).
const notesExample = signInTypedData({
  chainId: "SN_SEPOLIA",
  domain: "blocra.example",
  uri: "https://blocra.example/login",
  address: "0x123",
  nonce: "Xk3p9QeWm2Lr8TzA",
  issuedAt: 1767225600,
  expiresAt: 1767225900,
});

const output = {
  generator: "tests/vectors/generate_vectors.mjs",
  library: "starknet@10.8.0",
  signin: vectors,
  hash_only: [
    {
      name: "snip12-revision-0-mail",
      typed_data: mail,
      account_address: mailAccount,
      message_hash: hex(typedData.getMessageHash(mail, mailAccount)),
    },
    {
      name: "signin-notes-example",
      typed_data: notesExample,
      account_address: "0x123",
      message_hash: hex(typedData.getMessageHash(notesExample, "0x123")),
    },
  ],
};
process.stdout.write(JSON.stringify(output, null, 2) + "\n");
