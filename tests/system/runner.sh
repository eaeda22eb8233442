#!/bin/bash
# Inside the container: runs this boot's scenario with a time bound, keeps
# its output, exit status and the journal in /results.
set -u
scenario=$(sed -n 's/^scenario=//p' /results/plan)
boot=$(sed -n 's/^boot=//p' /results/plan)
boots=$(sed -n 's/^boots=//p' /results/plan)
rc=0
FSP_BOOT=$boot FSP_BOOTS=$boots timeout -k 5 "${FSP_SCENARIO_TIMEOUT:-150}" \
        bash "/usr/lib/winfsp-test/scenarios/$scenario.sh" >"/results/boot$boot.log" 2>&1 || rc=$?
[ $rc = 124 ] && echo "FAIL: the scenario did not finish within its time bound" >>"/results/boot$boot.log"
journalctl -b --no-pager -o short-monotonic >"/results/journal.$boot" 2>&1
echo $rc >"/results/boot$boot.rc"
exit 0
