"""The README inside the students' bundle: install, open, check, Validate, submit, at home.

It says what the main README's student quick start says, for a student who has only the
zip: what to install and that it needs the internet once (unless the bundle carries its
wheels), how long that takes, the address to open when no browser opens, and what Validate
means. Times are this course's measurements (see the README's student section).
"""

INSTALL_ONLINE = {
    "ko": """\
설치할 때 인터넷이 한 번 필요합니다. pip이 TensorFlow를 비롯한 패키지 약 700MB를 내려받습니다.
빠른 연결에서 3분쯤, 집의 느린 연결에서는 10분 넘게 걸릴 수 있습니다. 설치한 뒤에는 인터넷이
필요 없습니다.""",
    "en": """\
Installing needs the internet once: pip downloads about 700 MB of packages, TensorFlow most of
them. That took 3 minutes on a fast connection; on a slow home connection allow 10 minutes or
more. Once installed, nothing needs the internet.""",
}

INSTALL_OFFLINE = {
    "ko": """\
이 묶음의 `wheels/` 폴더에 필요한 패키지가 모두 들어 있어 인터넷 없이 설치됩니다(2분쯤).
wheel은 다음 환경용입니다: {platform}.""",
    "en": """\
The `wheels/` folder of this bundle holds every package needed, so it installs with no
internet (about 2 minutes). The wheels are for: {platform}.""",
}

# The same commands in both languages.
COMMANDS = """\
```
python3 -m venv .venv
source .venv/bin/activate        # Windows: .venv\\Scripts\\activate
{pip_line}
```"""

README = {
    "ko": """\
# 잔차 네트워크(ResNet) 과제

이 묶음에는 노트북 두 개(`resnet/` 폴더)와 노트북이 쓰는 도우미 패키지(`{wheel}`)가 들어
있습니다.

## 설치 (처음 한 번)

Python 3.11 이상이 필요합니다. {install}

이 폴더에서 가상 환경을 만들고 패키지를 설치합니다.

{commands}

## 열기

```
resnet-course lab resnet
```

브라우저에 JupyterLab이 열립니다. 열리지 않으면 창에 두 언어로 찍히는 주소
(`http://127.0.0.1:8888/lab?token=…`)를 복사해 브라우저 주소 창에 붙여 넣으세요. 끝내려면 그
창에서 Ctrl+C를 두 번 누릅니다. 다음부터는 `source .venv/bin/activate` 명령으로 가상 환경을
켠 뒤 이 명령만 실행하면 됩니다.

## 풀기와 확인

`01_vanishing_gradients.ipynb`부터 차례로 여세요. `# GRADED FUNCTION` 셀마다 답을 쓰고, 바로
아래의 확인 셀을 실행하면 무엇이 틀렸는지 알려 줍니다. 그 아래의 잠긴 채점 셀은 확인 셀이 이미
설명한 문제를 한 줄로만 가리킵니다.

## 제출 전: Validate

노트북 위 도구 모음의 **Validate** 버튼을 누르세요. Validate는 노트북을 처음부터 새 커널로
실행하고(훈련은 짧게), 채점 셀마다 그 실습의 공개 테스트를 다시 확인합니다. 확인 셀에 ❌가
하나라도 있으면 Validate도 실패하고 무엇을 고칠지 보여 줍니다. "Success"가 나오면 모든 공개
테스트를 통과한 것입니다. 점수는 제출한 뒤 강사의 채점기가 숨겨진 테스트로 정합니다.
2코어 컴퓨터에서 노트북 하나에 1분이 안 걸립니다.

## 제출

1. 노트북을 저장합니다. 파일 이름은 바꾸지 말고, 잠긴 채점 셀은 지우거나 고치지 마세요.
2. `resnet` 폴더의 노트북 두 개를 강사가 안내한 방법(과목 사이트에 파일 올리기 등)으로 제출합니다.
""",
    "en": """\
# Residual networks (ResNet): the assignment

This bundle holds two notebooks (the `resnet/` folder) and the helper package they use
(`{wheel}`).

## Install (once)

You need Python 3.11 or newer. {install}

In this folder, make a virtual environment and install the package:

{commands}

## Open

```
resnet-course lab resnet
```

JupyterLab opens in your browser. If it does not, copy the address the window prints in both
languages (`http://127.0.0.1:8888/lab?token=…`) into your browser's address bar. To stop,
press Ctrl+C twice in that window. Next time, run `source .venv/bin/activate` and this
command only.

## Work and check

Start with `01_vanishing_gradients.ipynb`. Write your answer in each `# GRADED FUNCTION`
cell and run the check cell below it: it tells you what is wrong and where to look. The
locked graded cells under it point in one line to a problem the check cell has explained.

## Before you submit: Validate

Press **Validate** in the notebook's toolbar. Validate runs the notebook from the top in a
fresh kernel (training kept short) and asks each graded cell to check its exercise's public
tests again. If any check cell shows ❌, Validate fails too and shows what to fix; "Success"
means every public test passes. Your score is decided after you submit, by your
instructor's grader, with hidden tests. It takes under a minute per notebook on a 2-core
computer.

## Submit

1. Save the notebooks. Keep their file names, and do not delete or edit the locked graded cells.
2. Hand in the two notebooks of the `resnet` folder the way your instructor says (for example, a file upload to the course site).
""",
}


def pip_line(wheel, offline):
    if offline:
        return f"pip install --no-index --find-links wheels {wheel}"
    return f"pip install {wheel}"


def readme(lang, wheel, platform=None):
    """The bundle's README.md in `lang` (both: Korean, then English). `platform`: the wheelhouse's, if any."""
    offline = platform is not None
    parts = []
    for language in (("ko", "en") if lang == "both" else (lang,)):
        install = (INSTALL_OFFLINE if offline else INSTALL_ONLINE)[language].format(platform=platform)
        commands = COMMANDS.format(pip_line=pip_line(wheel, offline))
        parts.append(README[language].format(wheel=wheel, install=install, commands=commands))
    return "\n".join(parts)
