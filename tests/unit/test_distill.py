"""Distillation: the ensemble averages its members' probabilities; the loss pulls the
student towards them and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from wardrobe_app.training.distill import TeacherEnsemble, distillation_loss
from wardrobe_app.vision.ensemble import ProbabilityAverage
from wardrobe_app.vision.model_folder import ModelConfig, build_model, ensemble_of, save_model


def _teacher(folder: Path, seed: int, config: ModelConfig) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = build_model(config).eval()
    save_model(model, config, folder, half=False)
    return model


def _tiny_config(**changes: object) -> ModelConfig:
    config = ModelConfig(architecture="unet", width=4, input_size=[32, 32])
    for name, value in changes.items():
        setattr(config, name, value)
    return config


def test_ensemble_averages_member_probabilities(tmp_path: Path) -> None:
    config = _tiny_config()
    a = _teacher(tmp_path / "a", 1, config)
    b = _teacher(tmp_path / "b", 2, config)
    ensemble = TeacherEnsemble([tmp_path / "a", tmp_path / "b"], config)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        expected = (a(x).softmax(1) + b(x).softmax(1)) / 2
    got = ensemble(x)
    assert torch.allclose(got, expected, atol=1e-5)
    assert torch.allclose(got.sum(1), torch.ones(2, 32, 32), atol=1e-5)
    ensemble.train()  # a training loop calling train() must not unfreeze batch norm
    assert not any(m.training for m in ensemble.modules())
    assert not any(p.requires_grad for p in ensemble.parameters())


def test_a_cascade_folder_teaches_as_its_full_average(tmp_path: Path) -> None:
    config = _tiny_config()
    a = _teacher(tmp_path / "a", 1, config)
    b = _teacher(tmp_path / "b", 2, config)
    cascade, cascade_config = ensemble_of([tmp_path / "a", tmp_path / "b"], "c", 0.99)
    save_model(cascade, cascade_config, tmp_path / "cascade", half=False)
    teacher = TeacherEnsemble([tmp_path / "cascade"], config)
    (nested,) = teacher.members
    assert isinstance(nested, ProbabilityAverage) and nested.consult_above == 0.0
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        expected = (a(x).softmax(1) + b(x).softmax(1)) / 2
    assert torch.allclose(teacher(x), expected, atol=1e-5)  # the second member ran on both


def test_ensemble_refuses_teachers_that_read_or_label_differently(tmp_path: Path) -> None:
    student = _tiny_config()
    _teacher(tmp_path / "three", 1, _tiny_config(class_names=["background", "top", "bottom"]))
    with pytest.raises(ValueError, match="classes"):
        TeacherEnsemble([tmp_path / "three"], student)
    _teacher(tmp_path / "imagenet", 1, _tiny_config(mean=[0.485, 0.456, 0.406]))
    with pytest.raises(ValueError, match="normalises"):
        TeacherEnsemble([tmp_path / "imagenet"], student)
    with pytest.raises(ValueError, match="at least one"):
        TeacherEnsemble([], student)


def test_distillation_loss_is_zero_at_the_target_and_pulls_towards_it() -> None:
    torch.manual_seed(0)
    teacher_logits = torch.randn(2, 4, 8, 8)
    target = teacher_logits.softmax(1)
    assert distillation_loss(teacher_logits, target).item() == pytest.approx(0.0, abs=1e-6)

    student = torch.zeros(2, 4, 8, 8, requires_grad=True)
    loss = distillation_loss(student, target)
    assert loss.item() > 0.01
    loss.backward()
    assert student.grad is not None
    # One gradient step moves the student's probabilities towards the teacher's.
    stepped = (student - 50.0 * student.grad).detach()
    assert distillation_loss(stepped, target) < loss
