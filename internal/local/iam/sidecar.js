// kiln's IAM sidecar: evaluates AWS requests with @cloud-copilot/iam-simulate. It reads JSON
// lines on stdin and answers one JSON line on stdout per "eval" line, in order.
//
//   {"op":"principal","arn":ARN,"policies":[{"name":N,"policy":DOC}]}  identity policies of ARN
//   {"op":"resource","arn":ARN,"policy":DOC}                           resource policy of ARN
//   {"op":"eval","id":N,"principal":P,"identity":ARN,"action":A,"resource":R,
//    "resourcePolicy":ARN,"account":ACCT,"context":{...}}
//   -> {"id":N,"result":"Allowed"|"ExplicitlyDenied"|"ImplicitlyDenied","grants":[...],"error":E}
//
// KILN_IAM_ROOT (or argv[2]) is the folder whose node_modules holds the library (kiln's
// package.json pins it).
'use strict'
const path = require('path')
const readline = require('readline')
const { createRequire } = require('module')
const { runSimulation } = createRequire(path.join(process.env.KILN_IAM_ROOT || process.argv[2], 'package.json'))('@cloud-copilot/iam-simulate')

const identities = new Map()
const resources = new Map()

function grantsOf(kind, analysis) {
  if (!analysis || !analysis.allowStatements) return []
  return analysis.allowStatements.map((s) => ({
    kind,
    policy: s.policyId || '',
    sid: (s.explain && s.explain.identifier) || '',
    actions: [].concat((s.explain && s.explain.actions) || []).filter((a) => a.matches).map((a) => a.action)
  }))
}

async function evaluate(m) {
  const simulation = {
    request: {
      principal: m.principal,
      action: m.action,
      resource: { resource: m.resource, accountId: m.account },
      contextVariables: m.context || {}
    },
    identityPolicies: identities.get(m.identity) || [],
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  if (m.resourcePolicy && resources.has(m.resourcePolicy)) {
    simulation.resourcePolicy = resources.get(m.resourcePolicy)
  }
  const r = await runSimulation(simulation, {})
  if (r.resultType === 'error') {
    return { id: m.id, error: r.errors.message || JSON.stringify(r.errors) }
  }
  const results = r.resultType === 'single' ? [r.result] : r.results
  let grants = []
  for (const one of results) {
    const a = one.analysis || {}
    grants = grants.concat(grantsOf('identity', a.identityAnalysis), grantsOf('resource', a.resourceAnalysis))
  }
  return { id: m.id, result: r.overallResult, grants }
}

async function handle(line) {
  const m = JSON.parse(line)
  switch (m.op) {
    case 'principal':
      identities.set(m.arn, m.policies || [])
      return null
    case 'resource':
      resources.set(m.arn, m.policy)
      return null
    case 'eval':
      return evaluate(m)
    default:
      return { id: m.id, error: 'unknown op ' + m.op }
  }
}

const rl = readline.createInterface({ input: process.stdin, terminal: false })
let chain = Promise.resolve()
rl.on('line', (line) => {
  chain = chain.then(async () => {
    let out
    try {
      out = await handle(line)
    } catch (e) {
      let id = 0
      try { id = JSON.parse(line).id || 0 } catch (_) { /* not JSON */ }
      out = { id, error: String((e && e.message) || e) }
    }
    if (out) process.stdout.write(JSON.stringify(out) + '\n')
  })
})
rl.on('close', () => { chain.then(() => process.exit(0)) })
