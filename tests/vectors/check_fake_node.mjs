// Runs starknet.js's own client against a Starknet JSON-RPC node (the tests' local node) and prints
// what it read, as JSON. Shows the local node satisfies a client other than starknet-py.
//
//   node check_fake_node.mjs <node url> <vectors json>
import { readFileSync } from "node:fs";
import { RpcProvider } from "starknet";

const [nodeUrl, vectorsPath] = process.argv.slice(2);
const vectors = JSON.parse(readFileSync(vectorsPath, "utf8"));
const provider = new RpcProvider({ nodeUrl });

const out = {
  spec_version: await provider.getSpecVersion(),
  chain_id: await provider.getChainId(),
  block_number: await provider.getBlockNumber(),
  signatures: [],
};
for (const vector of vectors.signin) {
  if (vector.typed_data.domain.chainId !== "SN_SEPOLIA") continue;
  const good = await provider.verifyMessageInStarknet(vector.typed_data, [vector.r, vector.s], vector.account_address);
  const forged = await provider.verifyMessageInStarknet(
    vector.typed_data,
    [vector.r, "0x" + (BigInt(vector.s) + 1n).toString(16)],
    vector.account_address,
  );
  out.signatures.push({ name: vector.name, good, forged });
}
process.stdout.write(JSON.stringify(out) + "\n");
