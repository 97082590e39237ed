// A local Bluesky PDS and PLC directory for the connector tests: `node pds.mjs --pds-port N --plc-port M`.
// Prints one JSON line {"ready": true, ...} on stdout once both answer; stops on SIGTERM/SIGINT or when
// its stdin closes (so a test run that dies never leaves it behind). Needs Node 22 (see .ci/setup-bluesky).
import dns from 'node:dns'
import net from 'node:net'
import { parseArgs } from 'node:util'

// dev-env builds its URLs with "localhost": resolve it to the address we listen on.
dns.setDefaultResultOrder('ipv4first')

// The PDS and PLC servers call listen(port) with no host, i.e. every interface. Tests serve loopback only.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1')
  return listen.apply(this, args)
}

const { values } = parseArgs({
  options: {
    'pds-port': { type: 'string', default: '0' },
    'plc-port': { type: 'string', default: '0' },
  },
})
const pdsPort = Number(values['pds-port']) || undefined
const plcPort = Number(values['plc-port']) || undefined

const started = performance.now()
const { TestNetworkNoAppView } = await import('@atproto/dev-env')
const network = await TestNetworkNoAppView.create({
  plc: { port: plcPort },
  pds: { port: pdsPort, hostname: 'localhost' },
})

let stopping = false
async function stop(code) {
  if (stopping) return
  stopping = true
  try {
    await network.close()
  } finally {
    process.exit(code)
  }
}
process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))
process.stdin.on('end', () => stop(0))
process.stdin.resume()

console.log(
  JSON.stringify({
    ready: true,
    pds: `http://127.0.0.1:${network.pds.port}`,
    plc: `http://127.0.0.1:${network.plc.port}`,
    pid: process.pid,
    node: process.version,
    startup_ms: Math.round(performance.now() - started),
  }),
)
