#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ethcfg contributors
# MIT or Apache-2.0, at your option (see the ethcfg repository)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ethcfg
short_description: Apply or revert ethcfg NIC profiles (ethtool features and settings)
version_added: "0.1.0"
description:
  - Applies an ethcfg profile to network interfaces (C(ethcfg apply)), or
    restores them to how they were before ethcfg's first change
    (C(ethcfg revert)), over the kernel's ethtool netlink interface.
  - Idempotent. C(changed) comes from ethcfg's C(--json) report, so a
    profile that is already in effect reports C(changed=false).
  - Check mode runs C(ethcfg apply --dry-run). Diff mode shows, per
    interface, each feature and setting before and after.
  - A failure carries ethcfg's own one-line error message.
options:
  profile:
    description:
      - The profile to apply (a built-in preset, or a file in
        C(/etc/ethcfg/profiles.d)). Required with O(state=present).
    type: str
  interfaces:
    description:
      - The interfaces to apply the profile to, or to revert.
    type: list
    elements: str
    required: true
    aliases: [interface]
  force:
    description:
      - Apply a profile made for other drivers, or change an interface that
        carries the management session (C(ethcfg apply --force)).
    type: bool
    default: false
  state:
    description:
      - V(present) applies O(profile); V(absent) reverts what ethcfg changed
        on the interfaces.
    type: str
    choices: [present, absent]
    default: present
  persist:
    description:
      - Also keep the profile applied across reboots and hotplug by writing a
        binding to the ethcfg config file (C(ethcfg persist)), or remove it
        with O(state=absent) (C(ethcfg unpersist)).
      - Needs an ethcfg that has the C(persist) command; with one that has
        not, the task fails with "needs ethcfg persist".
    type: bool
    default: false
  executable:
    description:
      - Path of the ethcfg binary. By default C(/usr/sbin/ethcfg), else
        C(ethcfg) on the remote PATH.
    type: path
notes:
  - Runs as root (ethtool netlink changes need C(CAP_NET_ADMIN)).
  - O(state=absent) reverts the interfaces ethcfg holds a record of (from
    C(ethcfg metrics)) and reports C(changed) when there was one, so a second
    run is a no-op. In check mode it cannot show a diff.
requirements:
  - ethcfg on the managed host
author:
  - ethcfg contributors (@ethcfg)
'''

EXAMPLES = r'''
- name: Keep e1000e ports from hanging under load
  ethcfg.ethcfg.ethcfg:
    profile: e1000e-hang-safe
    interfaces: [eno1]

- name: A profile made for another driver, on two ports
  ethcfg.ethcfg.ethcfg:
    profile: lro-off
    interfaces: [ens1f0, ens1f1]
    force: true

- name: Put eno1 back as it was before ethcfg
  ethcfg.ethcfg.ethcfg:
    interfaces: [eno1]
    state: absent

- name: Apply, and keep it applied across reboots and driver reloads
  ethcfg.ethcfg.ethcfg:
    profile: e1000e-hang-safe
    interfaces: [eno1]
    persist: true
'''

RETURN = r'''
interfaces:
  description: ethcfg's JSON report, one entry per interface.
  returned: always
  type: list
  elements: dict
  sample:
    - ifname: eno1
      ifindex: 2
      changed: true
      changes:
        - feature: tx-tcp-segmentation
          from: true
          to: false
          status: applied
      settings: []
cmd:
  description: The ethcfg command line run.
  returned: always
  type: list
  elements: str
  sample: [/usr/sbin/ethcfg, apply, e1000e-hang-safe, eno1, --json]
stderr:
  description: ethcfg's notes and warnings.
  returned: always
  type: str
rc:
  description: ethcfg's exit status (0 done, 3 partially applied).
  returned: always
  type: int
'''

import json
import os

from ansible.module_utils.basic import AnsibleModule

DEFAULT_PATH = '/usr/sbin/ethcfg'
# Statuses that mean a value changes (or would, in a dry run).
CHANGING = ('applied', 'adjusted', 'side-effect', 'planned')


def find_ethcfg(module):
    path = module.params['executable']
    if path:
        return path
    if os.access(DEFAULT_PATH, os.X_OK):
        return DEFAULT_PATH
    return module.get_bin_path('ethcfg', required=True)


def one_line(stderr, stdout=''):
    """ethcfg's error line, else the last line it wrote."""
    lines = [l.strip() for l in (stderr or '').splitlines() if l.strip()]
    for l in lines:
        if l.startswith('ethcfg: error:'):
            return l
    if lines:
        return lines[-1]
    return (stdout or '').strip() or 'ethcfg failed without a message'


def on_off(v):
    if isinstance(v, bool):
        return 'on' if v else 'off'
    return str(v)


def changed_in(report):
    for o in report:
        if o.get('changed'):
            return True
        for c in o.get('changes', []) + o.get('settings', []):
            if c.get('status') in CHANGING:
                return True
    return False


def diff_of(report):
    out = []
    for o in report:
        before, after = [], []
        for c in o.get('changes', []):
            if c.get('status') in CHANGING:
                before.append('%s: %s' % (c.get('feature'), on_off(c.get('from'))))
                after.append('%s: %s' % (c.get('feature'), on_off(c.get('to'))))
        for c in o.get('settings', []):
            if c.get('status') in CHANGING:
                key = '%s %s' % (c.get('group'), c.get('key'))
                now = c.get('now') if c.get('status') != 'planned' else c.get('to')
                before.append('%s: %s' % (key, on_off(c.get('from'))))
                after.append('%s: %s' % (key, on_off(now)))
        if before:
            name = o.get('ifname', '')
            out.append({
                'before_header': name,
                'after_header': name,
                'before': '\n'.join(before) + '\n',
                'after': '\n'.join(after) + '\n',
            })
    return out


def has_command(module, ethcfg, command):
    rc, dummy, dummy2 = module.run_command([ethcfg, command, '--help'])
    return rc == 0


def managed(module, ethcfg, interfaces):
    """Which interfaces ethcfg holds a record for (ethcfg metrics)."""
    rc, out, err = module.run_command([ethcfg, 'metrics', '--no-kernel-log'])
    if rc != 0:
        module.fail_json(msg=one_line(err, out), rc=rc)
    found = set()
    if 'ethcfg_records_up 0' in out.splitlines():
        module.fail_json(msg='ethcfg cannot read its state records (ethcfg metrics: ethcfg_records_up 0); '
                             'run ethcfg revert %s for its error' % ' '.join(interfaces), rc=rc)
    for line in out.splitlines():
        if line.startswith('ethcfg_managed{'):
            for name in interfaces:
                if 'interface="%s"' % name in line:
                    found.add(name)
    return found


def run_ethcfg(module, cmd, result):
    rc, out, err = module.run_command(cmd)
    result.update(cmd=cmd, rc=rc, stderr=err)
    report = []
    if out.strip():
        try:
            report = json.loads(out)
        except ValueError:
            report = []
    result['interfaces'] = report
    if rc not in (0,):
        module.fail_json(msg=one_line(err, out), **result)
    return report


def main():
    module = AnsibleModule(
        argument_spec=dict(
            profile=dict(type='str'),
            interfaces=dict(type='list', elements='str', required=True, aliases=['interface']),
            force=dict(type='bool', default=False),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            persist=dict(type='bool', default=False),
            executable=dict(type='path'),
        ),
        required_if=[('state', 'present', ('profile',))],
        supports_check_mode=True,
    )
    p = module.params
    ethcfg = find_ethcfg(module)
    result = dict(changed=False, interfaces=[], cmd=[], stderr='', rc=0)
    if not p['interfaces']:
        module.fail_json(msg='interfaces: at least one interface is needed', **result)
    if p['persist']:
        command = 'persist' if p['state'] == 'present' else 'unpersist'
        if not has_command(module, ethcfg, command):
            module.fail_json(
                msg='persist: needs ethcfg persist (this ethcfg, %s, has no "%s" command); '
                    'apply without persist, or install an ethcfg that has it' % (ethcfg, command),
                **result)

    if p['state'] == 'present':
        cmd = [ethcfg, 'apply', p['profile']] + p['interfaces'] + ['--json']
        if p['force']:
            cmd.append('--force')
        if module.check_mode:
            cmd.append('--dry-run')
        report = run_ethcfg(module, cmd, result)
        result['changed'] = changed_in(report)
        if module._diff:
            result['diff'] = diff_of(report)
    else:
        # ethcfg revert fails on an interface it holds no record of: only
        # those it holds one of are reverted, so a second run is a no-op.
        held = managed(module, ethcfg, p['interfaces'])
        todo = [i for i in p['interfaces'] if i in held]
        if module.check_mode or not todo:
            result['changed'] = bool(todo)
        else:
            cmd = [ethcfg, 'revert'] + todo + ['--json']
            report = run_ethcfg(module, cmd, result)
            result['changed'] = bool(report) or changed_in(report)
            if module._diff:
                result['diff'] = diff_of(report)

    if p['persist'] and not module.check_mode:
        if p['state'] == 'present':
            cmd = [ethcfg, 'persist', p['profile']] + p['interfaces']
            if p['force']:
                cmd.append('--force')
        else:
            cmd = [ethcfg, 'unpersist'] + p['interfaces']
        rc, out, err = module.run_command(cmd)
        if rc != 0:
            module.fail_json(msg=one_line(err, out), rc=rc, cmd=cmd, stderr=err,
                             interfaces=result['interfaces'])
        # ethcfg persist prints what it wrote and has no --json report to
        # tell an unchanged binding from a new one: a run counts as a change.
        result['changed'] = True
    module.exit_json(**result)


if __name__ == '__main__':
    main()
