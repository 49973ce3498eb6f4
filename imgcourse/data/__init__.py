"""Datasets: the built-in tier, the shapes generator, user folders and input pipelines."""

from imgcourse.data.augment import augmentation_layers, tf_augment, tf_augmenter
from imgcourse.data.builtin import (
    load_digits,
    load_lfw_faces,
    load_photo,
    load_photos,
    load_textures,
)
from imgcourse.data.coco import read_coco, write_coco
from imgcourse.data.dataset import ImageSet, split
from imgcourse.data.download import DownloadError, cache_dir, fetch, load_dataset
from imgcourse.data.example_folder import write_class_folder, write_example_folder
from imgcourse.data.folder import ImageFolderError, load_image_folder, scan_image_folder
from imgcourse.data.folder_check import (
    check_trainable,
    class_table,
    describe_files,
    problem_table,
)
from imgcourse.data.glyphs import make_glyphs, paint_scans
from imgcourse.data.masks import MaskFolderError, load_mask_folders, read_mask
from imgcourse.data.pipeline import python_batches, tf_dataset
from imgcourse.data.registry import get_dataset, list_datasets
from imgcourse.data.shapes import make_shapes

__all__ = [
    "check_trainable",
    "class_table",
    "describe_files",
    "problem_table",
    "write_class_folder",
    "write_example_folder",
    "augmentation_layers",
    "tf_augment",
    "tf_augmenter",
    "DownloadError",
    "cache_dir",
    "fetch",
    "get_dataset",
    "list_datasets",
    "load_dataset",
    "ImageFolderError",
    "ImageSet",
    "load_digits",
    "load_image_folder",
    "load_lfw_faces",
    "load_mask_folders",
    "MaskFolderError",
    "read_mask",
    "load_photo",
    "load_photos",
    "load_textures",
    "make_glyphs",
    "paint_scans",
    "make_shapes",
    "python_batches",
    "scan_image_folder",
    "split",
    "tf_dataset",
    "read_coco",
    "write_coco",
]
