# Installs a barn binary on a Windows media host and registers it as a service through WinSW.
#   install\install.ps1 -Binary .\dist\barn-x86_64-pc-windows-msvc.exe [-Prefix "C:\Program Files\barn"] [-WinSW .\WinSW-x64.exe] [-DryRun]
# Untested here (no Windows machine): see windows/README.md.
param(
  [Parameter(Mandatory = $true)][string]$Binary,
  [string]$Prefix = "C:\Program Files\barn",
  [string]$WinSW = "",
  [switch]$DryRun
)
$ErrorActionPreference = "Stop"
$target = Join-Path $Prefix "barn.exe"
function Run([scriptblock]$Block, [string]$What) {
  if ($DryRun) { Write-Output "+ $What" } else { & $Block }
}
Run { New-Item -ItemType Directory -Force -Path $Prefix | Out-Null } "mkdir $Prefix"
Run { Copy-Item -Force $Binary $target } "copy $Binary $target"
if ($WinSW -ne "") {
  Run { Copy-Item -Force $WinSW (Join-Path $Prefix "barn-service.exe") } "copy $WinSW barn-service.exe"
}
$script = & $target service install --script --binary="$target"
if ($DryRun) { $script; exit 0 }
Invoke-Expression ($script -join "`r`n")
Write-Output "installed $target; check it with: barn service status"
