#!/usr/bin/env bash
# Installs the system packages the tests drive: Debian's Jupyter (server, nbclient, nbconvert,
# jupyter_kernel_test, and jupyterlab_server, whose LabServerApp serves the JupyterLab front end
# of test/jupyterlab), Chromium, and redis-server (the eval queue tests start their own on loopback). Needs root (or sudo) and Debian's apt.
set -euo pipefail
packages=(jupyter-server python3-nbclient jupyter-nbconvert jupyter-client python3-jupyter-kernel-test python3-jupyterlab-server chromium redis-server)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies already installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
